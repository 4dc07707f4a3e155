using System.Net;
using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>The base of every exception the SDK throws on purpose.</summary>
public class ComfyUIException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ComfyUIException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ComfyUIException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The server answered an HTTP call with a status that is not a success.</summary>
public class ComfyUIApiException : ComfyUIException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status the server answered.</param>
    /// <param name="method">The HTTP method of the call.</param>
    /// <param name="route">The route that was called, relative to the base address, without the query string.</param>
    /// <param name="responseBody">The response body as text, cut at <see cref="ComfyUIClientOptions.MaxErrorBodyLength"/>.</param>
    /// <param name="error">The parsed ComfyUI error, when the body carried one.</param>
    public ComfyUIApiException(string message, HttpStatusCode statusCode, string method, string route, string? responseBody, ComfyError? error)
        : base(message)
    {
        StatusCode = statusCode;
        Method = method;
        Route = route;
        ResponseBody = responseBody;
        Error = error;
    }

    /// <summary>The HTTP status the server answered.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The HTTP method of the call, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The route that was called, for example <c>/api/prompt</c> (no query string, no host).</summary>
    public string Route { get; }

    /// <summary>The response body as text (cut when long), or <see langword="null"/> when it was empty.</summary>
    public string? ResponseBody { get; }

    /// <summary>The ComfyUI error read from the body, or <see langword="null"/> when the body had none (plain text or empty).</summary>
    public ComfyError? Error { get; }
}

/// <summary>
/// <c>POST /prompt</c> rejected the prompt (HTTP 400): the prompt was not queued. <see cref="NodeErrors"/> says which node and which input
/// failed validation; an error about one node as a whole (an unknown node class: <c>missing_node_type</c>) names it in <see cref="Node"/>.
/// </summary>
public sealed class ComfyUIPromptValidationException : ComfyUIApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status (400).</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="route">The route.</param>
    /// <param name="responseBody">The body as text.</param>
    /// <param name="error">The parsed error.</param>
    public ComfyUIPromptValidationException(string message, HttpStatusCode statusCode, string method, string route, string? responseBody, ComfyError error)
        : base(message, statusCode, method, route, responseBody, error)
    {
        ArgumentNullException.ThrowIfNull(error);
        ValidationError = error;
    }

    /// <summary>The parsed error (never <see langword="null"/> here).</summary>
    public ComfyError ValidationError { get; }

    /// <summary>
    /// Whether the SDK rejected the prompt before sending it (<see cref="PromptValidator"/>, <see cref="ComfyUIClientOptions.ValidatePrompts"/>):
    /// then the error is the one the server would have answered, and nothing was sent.
    /// </summary>
    public bool ValidatedOffline { get; init; }

    /// <summary>The error type, for example <c>prompt_outputs_failed_validation</c>, <c>missing_node_type</c> or <c>prompt_no_outputs</c>.</summary>
    public string? ErrorType => ValidationError.Type;

    /// <summary>The per-node errors, keyed by node id (empty when the whole prompt was rejected).</summary>
    public IReadOnlyDictionary<string, ComfyNodeError> NodeErrors => ValidationError.NodeErrors;

    /// <summary>
    /// The node the error is about when the server rejected one node as a whole rather than its inputs (an unknown node class, a node without
    /// <c>class_type</c>): read from <c>error.extra_info</c>. <see langword="null"/> otherwise (see <see cref="NodeErrors"/>).
    /// </summary>
    public ComfyErrorNode? Node => ValidationError.Node;
}

/// <summary>The server sent data the SDK cannot read: malformed JSON, a missing required field, a truncated frame.</summary>
public sealed class ComfyUIProtocolException : ComfyUIException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What could not be read, and where.</param>
    /// <param name="innerException">The parser's exception, when there was one.</param>
    public ComfyUIProtocolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception, naming where the data came from.</summary>
    /// <param name="message">What could not be read.</param>
    /// <param name="source">Where the data came from, for example <c>GET /api/queue</c> or <c>WebSocket message 'progress'</c>.</param>
    /// <param name="innerException">The parser's exception, when there was one.</param>
    public ComfyUIProtocolException(string message, string? source, Exception? innerException)
        : base(source is null ? message : $"{message} ({source})", innerException)
    {
        Source = source;
    }

    /// <summary>Where the unreadable data came from, when known.</summary>
    public new string? Source { get; }
}

/// <summary>An HTTP call did not finish within <see cref="ComfyUIClientOptions.RequestTimeout"/>.</summary>
public sealed class ComfyUITimeoutException : ComfyUIException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="timeout">The time limit that ran out.</param>
    /// <param name="innerException">The cancellation that ended the call.</param>
    public ComfyUITimeoutException(string message, TimeSpan timeout, Exception? innerException)
        : base(message, innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The time limit that ran out.</summary>
    public TimeSpan Timeout { get; }
}

/// <summary>
/// An error reported by ComfyUI. Covers the shapes the server uses: the prompt error
/// (<c>{"error": {type, message, details, extra_info}, "node_errors": {…}}</c>), the simple error (<c>{"error": "text"}</c>),
/// and the assets error (<c>{"error": {code, message, details}}</c>).
/// </summary>
public sealed class ComfyError
{
    /// <summary>The error type, for example <c>prompt_outputs_failed_validation</c> (prompt errors).</summary>
    public string? Type { get; init; }

    /// <summary>The error code, for example <c>ASSET_NOT_FOUND</c> (assets errors).</summary>
    public string? Code { get; init; }

    /// <summary>The human-readable message.</summary>
    public string Message { get; init; } = "";

    /// <summary>More detail, as the server wrote it (a string for prompt errors).</summary>
    public string? Details { get; init; }

    /// <summary>The open <c>extra_info</c> or <c>details</c> object, when present.</summary>
    public JsonElement? ExtraInfo { get; init; }

    /// <summary>The ids the server named as invalid (batch job cancel).</summary>
    public IReadOnlyList<string> InvalidIds { get; init; } = [];

    /// <summary>Per-node validation errors, keyed by node id (prompt errors only; empty otherwise).</summary>
    public IReadOnlyDictionary<string, ComfyNodeError> NodeErrors { get; init; } = new Dictionary<string, ComfyNodeError>();

    /// <summary>
    /// The node a prompt error is about as a whole, from <c>extra_info</c> (<c>node_id</c>, <c>class_type</c>, <c>node_title</c>): for example the
    /// node of an unknown class (<c>missing_node_type</c>), whose <see cref="NodeErrors"/> are empty. <see langword="null"/> when the error names none.
    /// </summary>
    public ComfyErrorNode? Node { get; init; }
}

/// <summary>A node named by a prompt error as a whole (not by one of its inputs).</summary>
public sealed class ComfyErrorNode
{
    /// <summary>The node id in the prompt.</summary>
    public required string NodeId { get; init; }

    /// <summary>The node's class as the prompt gave it (the unknown class), or <see langword="null"/> when the node had none.</summary>
    public string? ClassType { get; init; }

    /// <summary>The node's title (<c>_meta.title</c>, else its class), when the server sent one.</summary>
    public string? Title { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"node {NodeId} ({ClassType ?? "no class_type"}{(Title is { Length: > 0 } title && title != ClassType ? $", \"{title}\"" : "")})";
}

/// <summary>The validation errors of one node of a rejected prompt.</summary>
public sealed class ComfyNodeError
{
    /// <summary>The node's class, for example <c>KSampler</c>.</summary>
    public string? ClassType { get; init; }

    /// <summary>What was wrong with the node's inputs.</summary>
    public IReadOnlyList<ComfyNodeErrorDetail> Errors { get; init; } = [];

    /// <summary>The output nodes that depend on this node and so did not run.</summary>
    public IReadOnlyList<string> DependentOutputs { get; init; } = [];
}

/// <summary>One validation error of a node input.</summary>
public sealed class ComfyNodeErrorDetail
{
    /// <summary>The error type, for example <c>value_not_in_list</c> or <c>required_input_missing</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>The message, for example <c>Value not in list</c>.</summary>
    public string Message { get; init; } = "";

    /// <summary>More detail, for example <c>ckpt_name: 'x.safetensors' not in (list of length 42)</c>.</summary>
    public string? Details { get; init; }

    /// <summary>The open <c>extra_info</c> object (<c>input_name</c>, <c>received_value</c>, …).</summary>
    public JsonElement? ExtraInfo { get; init; }

    /// <summary>The input the error is about, read from <c>extra_info.input_name</c> when present.</summary>
    public string? InputName { get; init; }
}
