using System.CommandLine;
using System.Text.Json;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>comfyui watch</c>: every WebSocket message until Ctrl+C.</summary>
internal static class WatchCommand
{
    public static void Add(RootCommand root)
    {
        var command = new Command("watch", "Stream every WebSocket message (reconnecting by itself) until Ctrl+C");
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = CliApp.Output(result);
            try
            {
                await using var client = CliApp.CreateClient(result);
                await using var socket = await client.ConnectWebSocketAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var message in socket.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    Write(message, output);
                }

                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
            catch (Exception ex)
            {
                return CliApp.Fail(output, ex);
            }
        });
        root.Add(command);
    }

    /// <summary>One line per message: its type and typed fields (JSON), or a short description.</summary>
    internal static void Write(ComfyMessage message, CliOutput output)
    {
        if (output.Json)
        {
            output.Object(w => WriteJson(message, w));
        }
        else
        {
            output.Line(Describe(message));
        }
    }

    private static void WriteJson(ComfyMessage message, Utf8JsonWriter w)
    {
        w.WriteString("type", TypeName(message));
        if (message.PromptId is { } promptId)
        {
            w.WriteString("prompt_id", promptId);
        }

        switch (message)
        {
            case StatusMessage status:
                w.WriteNumber("queue_remaining", status.Status.ExecInfo.QueueRemaining);
                if (status.Sid is { } sid)
                {
                    w.WriteString("sid", sid);
                }

                break;
            case ExecutionCachedMessage cached:
                CliOutput.WriteStrings(w, "nodes", cached.Nodes);
                break;
            case ExecutingMessage executing:
                w.WriteString("node", executing.Node);
                w.WriteString("display_node", executing.DisplayNode);
                break;
            case ProgressMessage progress:
                w.WriteString("node", progress.Node);
                w.WriteNumber("value", progress.Value);
                w.WriteNumber("max", progress.Max);
                break;
            case ProgressStateMessage state:
                w.WriteStartObject("nodes");
                foreach (var (id, node) in state.Nodes)
                {
                    w.WriteStartObject(id);
                    w.WriteNumber("value", node.Value);
                    w.WriteNumber("max", node.Max);
                    w.WriteString("state", node.State);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                break;
            case ExecutedMessage executed:
                w.WriteString("node", executed.Node);
                CliOutput.WriteObject(w, "output", executed.Output.Raw);
                break;
            case ExecutionErrorMessage error:
                w.WriteString("node_id", error.NodeId);
                w.WriteString("node_type", error.NodeType);
                w.WriteString("exception_type", error.ExceptionType);
                w.WriteString("exception_message", error.ExceptionMessage);
                break;
            case ExecutionInterruptedMessage interrupted:
                w.WriteString("node_id", interrupted.NodeId);
                w.WriteString("node_type", interrupted.NodeType);
                break;
            case FeatureFlagsMessage flags:
                CliOutput.WriteObject(w, "flags", flags.Flags);
                break;
            case LogsMessage logs:
                w.WriteNumber("entries", logs.Entries.Count);
                break;
            case UnknownMessage unknown:
                w.WriteString("message_type", unknown.Type);
                if (unknown.Data.ValueKind != JsonValueKind.Undefined)
                {
                    w.WritePropertyName("data");
                    unknown.Data.WriteTo(w);
                }

                break;
            case PreviewImageMessage preview:
                w.WriteString("mime_type", preview.MimeType);
                w.WriteNull("node");
                w.WriteNumber("bytes", preview.Image.Length);
                break;
            case PreviewImageWithMetadataMessage preview:
                w.WriteString("mime_type", preview.MimeType);
                w.WriteString("node", preview.NodeId);
                w.WriteNumber("bytes", preview.Image.Length);
                break;
            case ProgressTextMessage text:
                w.WriteString("node", text.NodeId);
                w.WriteString("text", text.Text);
                break;
            case UnknownBinaryMessage binary:
                w.WriteNumber("event_type", binary.EventType);
                w.WriteNumber("bytes", binary.Payload.Length);
                break;
            case ProtocolErrorMessage error:
                w.WriteString("message", error.Exception.Message);
                break;
            case ReconnectingMessage reconnecting:
                w.WriteNumber("attempt", reconnecting.Attempt);
                w.WriteNumber("delay_ms", reconnecting.Delay.TotalMilliseconds);
                w.WriteString("reason", reconnecting.Reason?.Message);
                break;
            case DisconnectedMessage disconnected:
                w.WriteString("reason", disconnected.Reason?.Message ?? disconnected.CloseDescription);
                break;
        }
    }

    /// <summary>The wire name of a message (binary frames as <c>preview</c>/<c>progress_text</c>, connection changes as <c>connection.*</c>).</summary>
    internal static string TypeName(ComfyMessage message) => message switch
    {
        StatusMessage => "status",
        ExecutionStartMessage => "execution_start",
        ExecutionCachedMessage => "execution_cached",
        ExecutingMessage => "executing",
        ProgressMessage => "progress",
        ProgressStateMessage => "progress_state",
        ExecutedMessage => "executed",
        ExecutionSuccessMessage => "execution_success",
        ExecutionErrorMessage => "execution_error",
        ExecutionInterruptedMessage => "execution_interrupted",
        FeatureFlagsMessage => "feature_flags",
        LogsMessage => "logs",
        UnknownMessage => "unknown",
        PreviewImageMessage or PreviewImageWithMetadataMessage => "preview",
        ProgressTextMessage => "progress_text",
        UnknownBinaryMessage => "binary",
        ProtocolErrorMessage => "protocol_error",
        ConnectedMessage => "connection.connected",
        ReconnectingMessage => "connection.reconnecting",
        ReconnectedMessage => "connection.reconnected",
        DisconnectedMessage => "connection.disconnected",
        ClosedMessage => "connection.closed",
        _ => message.GetType().Name,
    };

    private static string Describe(ComfyMessage message) => message switch
    {
        StatusMessage status => $"status: {status.Status.ExecInfo.QueueRemaining} in queue",
        ExecutingMessage { Node: null } done => $"executing: prompt {done.PromptId} done",
        ExecutingMessage executing => $"executing: node {executing.Node} of {executing.PromptId}",
        ProgressMessage progress => $"progress: node {progress.Node} {progress.Value}/{progress.Max}",
        ExecutedMessage executed => $"executed: node {executed.Node} ({string.Join(", ", executed.Output.Raw.Keys)})",
        ExecutionErrorMessage error => $"execution_error: {error.ExceptionType} at node {error.NodeId} ({error.NodeType}): {error.ExceptionMessage}",
        PreviewImageMessage preview => $"preview: {preview.MimeType}, {preview.Image.Length} bytes",
        PreviewImageWithMetadataMessage preview => $"preview: node {preview.NodeId}, {preview.MimeType}, {preview.Image.Length} bytes",
        ProgressTextMessage text => $"progress_text: node {text.NodeId}: {text.Text}",
        UnknownMessage unknown => $"{unknown.Type} (unknown type)",
        ReconnectingMessage reconnecting => $"reconnecting (attempt {reconnecting.Attempt}, in {reconnecting.Delay.TotalSeconds:0.#} s): {reconnecting.Reason?.Message}",
        _ => TypeName(message) + (message.PromptId is null ? "" : " " + message.PromptId),
    };
}
