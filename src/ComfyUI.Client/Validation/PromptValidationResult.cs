using System.Net;
using System.Text.Json;
using ComfyUI.Client.Validation.Engine;
using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client;

/// <summary>
/// The server's verdict on a prompt, found offline by <see cref="PromptValidator"/>: what <c>POST /prompt</c> would answer.
/// Invalid: <see cref="Error"/> and <see cref="NodeErrors"/> as in <see cref="ComfyUIPromptValidationException"/>. Valid: queued with
/// <see cref="OutputsToExecute"/>; outputs that failed are dropped by the server, and their nodes' errors are still in <see cref="NodeErrors"/>.
/// </summary>
public sealed class PromptValidationResult
{
    private const string ServerFailureBody = "500 Internal Server Error\n\nServer got itself in trouble";
    private readonly string _body;

    private PromptValidationResult(HttpStatusCode statusCode, string body, ComfyError? error, IReadOnlyDictionary<string, ComfyNodeError> nodeErrors, IReadOnlyList<string> outputsToExecute, IReadOnlyList<string> failedOutputs, IReadOnlyList<PromptValidationNotice> notices)
    {
        StatusCode = statusCode;
        _body = body;
        Error = error;
        NodeErrors = nodeErrors;
        OutputsToExecute = outputsToExecute;
        FailedOutputs = failedOutputs;
        Notices = notices;
    }

    /// <summary>Whether the server would queue the prompt.</summary>
    public bool IsValid => StatusCode == HttpStatusCode.OK;

    /// <summary>
    /// What the server would answer: 200 (queued), 400 (rejected: <see cref="Error"/>), or 500 for a prompt so malformed that the
    /// server's own code fails on it (a node that is not an object, inputs that are not an object, …); then <see cref="Error"/> has the
    /// type <c>server_error</c> and names the Python exception.
    /// </summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The error the server would answer (its <see cref="ComfyError.NodeErrors"/> are <see cref="NodeErrors"/>); <see langword="null"/> when valid.</summary>
    public ComfyError? Error { get; }

    /// <summary>The nodes with errors, keyed by node id: all of them when invalid; those of the dropped outputs when valid.</summary>
    public IReadOnlyDictionary<string, ComfyNodeError> NodeErrors { get; }

    /// <summary>The output nodes the server would run (empty when invalid), in the SDK's order (by node id).</summary>
    public IReadOnlyList<string> OutputsToExecute { get; }

    /// <summary>The output nodes that failed validation, in the order they were validated (by node id).</summary>
    public IReadOnlyList<string> FailedOutputs { get; }

    /// <summary>Checks that could not be made offline (a node's own validation, a file in the server's output folder, …).</summary>
    public IReadOnlyList<PromptValidationNotice> Notices { get; }

    /// <summary>
    /// The JSON body the server would answer, written as the server writes it: <c>{"error": …, "node_errors": …}</c> when invalid,
    /// <c>{"valid": true, "node_errors": …}</c> when valid (the server's answer then has the prompt id and number instead of <c>valid</c>).
    /// Tracebacks are empty lists. For a 500, <c>{"error": {"type": "server_error", …}, "node_errors": {}}</c> (the server answers plain text).
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => _body;

    /// <summary>Throws what the client would throw for the server's answer, when it is not a success.</summary>
    /// <exception cref="ComfyUIPromptValidationException">The server would reject the prompt (400); <see cref="ComfyUIPromptValidationException.ValidatedOffline"/> is set.</exception>
    /// <exception cref="ComfyUIApiException">The server would fail on the prompt (500).</exception>
    public void ThrowIfInvalid()
    {
        if (ToException() is { } exception)
        {
            throw exception;
        }
    }

    /// <summary>The exception <see cref="ThrowIfInvalid"/> throws, or <see langword="null"/> when the prompt is valid.</summary>
    /// <returns>The exception, not thrown.</returns>
    public ComfyUIApiException? ToException()
    {
        if (IsValid || Error is null)
        {
            return null;
        }

        const string Route = "/prompt";
        if (StatusCode == HttpStatusCode.InternalServerError)
        {
            return new ComfyUIApiException($"POST {Route} would fail with 500 Internal Server Error (validated offline): {Error.Details}", StatusCode, "POST", Route, ServerFailureBody, Error);
        }

        return new ComfyUIPromptValidationException($"The server would reject the prompt (validated offline): {ComfyErrorParser.Describe(Error)}", StatusCode, "POST", Route, _body, Error)
        {
            ValidatedOffline = true,
        };
    }

    /// <summary>A one-line summary: valid (with the outputs) or the error.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => IsValid
        ? $"valid; outputs {string.Join(", ", OutputsToExecute)}{(FailedOutputs.Count > 0 ? $"; dropped outputs {string.Join(", ", FailedOutputs)}" : "")}"
        : $"invalid ({(int)StatusCode}): {ComfyErrorParser.Describe(Error!)}";

    internal static PromptValidationResult From(PromptVerdict verdict, IEnumerable<(string NodeId, string ClassType, string Reason)> notRun)
    {
        var notices = notRun.Select(n => new PromptValidationNotice(n.NodeId, n.ClassType, n.Reason)).ToArray();
        var body = new PyDict();
        if (verdict.Valid)
        {
            body["valid"] = PyBool.True;
        }
        else
        {
            body["error"] = verdict.Error!;
        }

        body["node_errors"] = verdict.NodeErrors;
        using var document = JsonDocument.Parse(PyJson.Dump(body, quoteLiterals: true));
        var error = verdict.Valid ? null : ComfyErrorParser.FromElement(document.RootElement);
        var nodeErrors = error?.NodeErrors ?? ComfyErrorParser.ReadNodeErrors(document.RootElement);
        return new PromptValidationResult(
            verdict.Valid ? HttpStatusCode.OK : HttpStatusCode.BadRequest,
            PyJson.Dump(body),
            error,
            nodeErrors,
            verdict.GoodOutputs,
            verdict.FailedOutputs,
            notices);
    }

    internal static PromptValidationResult FromServerFailure(PyException cause)
    {
        var details = $"{cause.TypeName}: {cause.Message}";
        var body = new PyDict
        {
            ["error"] = ValidationErrors.Error("server_error", "The server fails on this prompt with HTTP 500 (it answers plain text, not JSON)", details, new PyDict()),
            ["node_errors"] = new PyDict(),
        };
        using var document = JsonDocument.Parse(PyJson.Dump(body, quoteLiterals: true));
        return new PromptValidationResult(
            HttpStatusCode.InternalServerError,
            PyJson.Dump(body),
            ComfyErrorParser.FromElement(document.RootElement),
            new Dictionary<string, ComfyNodeError>(),
            [],
            [],
            []);
    }
}
