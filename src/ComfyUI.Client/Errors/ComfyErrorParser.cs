using System.Net;
using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>Reads ComfyUI error bodies of every shape, and builds the exceptions the SDK throws for them.</summary>
internal static class ComfyErrorParser
{
    /// <summary>Parses an error body. Returns <see langword="null"/> for plain text, empty bodies and JSON without an <c>error</c> member; never throws.</summary>
    public static ComfyError? TryParse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            return FromElement(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static ComfyError? FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error))
        {
            return null;
        }

        IReadOnlyList<string> invalidIds = [];
        if (root.TryGetProperty("invalid_ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
        {
            invalidIds = ids.EnumerateArray().Select(AsText).ToArray();
        }

        var nodeErrors = ReadNodeErrors(root);

        switch (error.ValueKind)
        {
            case JsonValueKind.String:
                return new ComfyError { Message = error.GetString() ?? "", InvalidIds = invalidIds, NodeErrors = nodeErrors };
            case JsonValueKind.Object:
                JsonElement? extra = null;
                if (error.TryGetProperty("extra_info", out var extraInfo) && extraInfo.ValueKind != JsonValueKind.Null)
                {
                    extra = extraInfo.Clone();
                }

                string? details = null;
                if (error.TryGetProperty("details", out var detailsElement))
                {
                    if (detailsElement.ValueKind == JsonValueKind.String)
                    {
                        details = detailsElement.GetString();
                    }
                    else if (detailsElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        extra ??= detailsElement.Clone();
                    }
                }

                return new ComfyError
                {
                    Node = ReadNode(extra),
                    Type = GetString(error, "type"),
                    Code = GetString(error, "code"),
                    Message = GetString(error, "message") ?? "",
                    Details = details,
                    ExtraInfo = extra,
                    InvalidIds = invalidIds,
                    NodeErrors = nodeErrors,
                };
            default:
                return new ComfyError { Message = AsText(error), InvalidIds = invalidIds, NodeErrors = nodeErrors };
        }
    }

    /// <summary>The node an error is about as a whole, from <c>extra_info.node_id</c> (with <c>class_type</c> and <c>node_title</c>).</summary>
    private static ComfyErrorNode? ReadNode(JsonElement? extra) =>
        extra is { ValueKind: JsonValueKind.Object } info && GetString(info, "node_id") is { } nodeId
            ? new ComfyErrorNode { NodeId = nodeId, ClassType = GetString(info, "class_type"), Title = GetString(info, "node_title") }
            : null;

    internal static Dictionary<string, ComfyNodeError> ReadNodeErrors(JsonElement root)
    {
        var result = new Dictionary<string, ComfyNodeError>(StringComparer.Ordinal);
        if (!root.TryGetProperty("node_errors", out var nodes) || nodes.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        foreach (var node in nodes.EnumerateObject())
        {
            if (node.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var errors = new List<ComfyNodeErrorDetail>();
            if (node.Value.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    JsonElement? extra = null;
                    string? inputName = null;
                    if (item.TryGetProperty("extra_info", out var extraInfo) && extraInfo.ValueKind == JsonValueKind.Object)
                    {
                        extra = extraInfo.Clone();
                        inputName = GetString(extraInfo, "input_name");
                    }

                    errors.Add(new ComfyNodeErrorDetail
                    {
                        Type = GetString(item, "type") ?? "",
                        Message = GetString(item, "message") ?? "",
                        Details = GetString(item, "details"),
                        ExtraInfo = extra,
                        InputName = inputName,
                    });
                }
            }

            IReadOnlyList<string> dependents = [];
            if (node.Value.TryGetProperty("dependent_outputs", out var deps) && deps.ValueKind == JsonValueKind.Array)
            {
                dependents = deps.EnumerateArray().Select(AsText).ToArray();
            }

            result[node.Name] = new ComfyNodeError
            {
                ClassType = GetString(node.Value, "class_type"),
                Errors = errors,
                DependentOutputs = dependents,
            };
        }

        return result;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            }
            : null;

    private static string AsText(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString() ?? "" : element.GetRawText();

    /// <summary>Builds the exception for a failed response whose body was already read.</summary>
    public static ComfyUIApiException CreateException(HttpStatusCode status, string? reason, string method, string route, string? body, bool isPromptSubmission)
    {
        var error = TryParse(body);
        var message = BuildMessage(status, reason, method, route, body, error);
        if (isPromptSubmission && status == HttpStatusCode.BadRequest && error is not null)
        {
            return new ComfyUIPromptValidationException(message, status, method, route, body, error);
        }

        return new ComfyUIApiException(message, status, method, route, body, error);
    }

    /// <summary>
    /// The error for a redirect: ComfyUI's routes never redirect, so something in front of the server did (an http-to-https rule, a login page),
    /// and following it would turn a POST into a GET and drop the API key. The message names the target to use as the base address.
    /// </summary>
    public static ComfyUIApiException CreateRedirectException(HttpStatusCode status, string? reason, string method, string route, Uri? location)
    {
        var target = location is null ? "no Location header" : $"'{location}'";
        var message = $"{method} {route} was redirected ({(int)status} {reason ?? status.ToString()}) to {target}. ComfyUI itself never redirects: "
            + "something in front of the server did, and the client does not follow redirects. Set ComfyUIClientOptions.BaseAddress to the address the server is really at.";
        return new ComfyUIApiException(message, status, method, route, null, null);
    }

    /// <summary>An error in one line: <c>[type] message: details; node 3 (KSampler): Value not in list: …</c> (five nodes, three errors each at most).</summary>
    internal static string Describe(ComfyError error)
    {
        var text = error.Message;
        if (!string.IsNullOrEmpty(error.Details) && !string.Equals(error.Details, text, StringComparison.Ordinal))
        {
            text = string.IsNullOrEmpty(text) ? error.Details : $"{text}: {error.Details}";
        }

        var kind = error.Type ?? error.Code;
        if (kind is not null)
        {
            text = $"[{kind}] {text}";
        }

        if (error.Node is { } node)
        {
            text += $"; {node}";
        }

        foreach (var (nodeId, nodeError) in error.NodeErrors.Take(5))
        {
            foreach (var detail in nodeError.Errors.Take(3))
            {
                text += $"; node {nodeId} ({nodeError.ClassType}): {detail.Message}{(detail.Details is { Length: > 0 } d ? ": " + d : "")}";
            }
        }

        return text;
    }

    private static string BuildMessage(HttpStatusCode status, string? reason, string method, string route, string? body, ComfyError? error)
    {
        var head = $"{method} {route} failed with {(int)status} {reason ?? status.ToString()}";
        if (error is not null)
        {
            return $"{head}: {Describe(error)}";
        }

        if (!string.IsNullOrWhiteSpace(body))
        {
            var line = body.Trim();
            if (line.Length > 300)
            {
                line = string.Concat(line.AsSpan(0, 300), "…");
            }

            return $"{head}: {line}";
        }

        return head + ".";
    }
}
