#if NET9_0_OR_GREATER
using System.Runtime.InteropServices;
#endif
using System.Text.Json;
using ComfyUI.Client.Serialization;
using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client;

/// <summary>
/// Reads how a prompt ended from its history entry (the source of truth): success, failure (through the typed <c>execution_error</c> the server
/// recorded), or interrupt (ours, when we asked for the cancel, else someone else's), with outputs and cached nodes.
/// </summary>
internal static class HistoryInterpreter
{
    /// <summary>Builds the run's result from its history entry.</summary>
    /// <param name="promptId">The prompt id.</param>
    /// <param name="entry">The history entry.</param>
    /// <param name="seen">The outcome the WebSocket reported, if any (its error stands in when the history's cannot be read).</param>
    /// <param name="cancelRequested">Whether this run asked the server to cancel the prompt (an interrupt is then a cancel).</param>
    /// <param name="run">The run (its cached nodes as the WebSocket reported them are asked for only when the history does not list them).</param>
    public static PromptResult Interpret(string promptId, HistoryEntry entry, RunOutcome? seen, bool cancelRequested, PromptRun run)
    {
        PromptStatus status;
        PromptError? error = null;
        string? reason = null;
        var messages = entry.Status;
        if (string.Equals(messages?.StatusStr, "error", StringComparison.Ordinal))
        {
            if (Read(messages, "execution_interrupted", ComfyJsonContext.Default.ExecutionInterruptedMessage, out var interrupted))
            {
                status = cancelRequested ? PromptStatus.Cancelled : PromptStatus.Interrupted;
                reason = interrupted is null ? "interrupted" : RunMessageMapper.InterruptReason(interrupted);
            }
            else
            {
                status = PromptStatus.Failed;
                Read(messages, "execution_error", ComfyJsonContext.Default.ExecutionErrorMessage, out var failure);
                error = failure is not null ? RunMessageMapper.ToPromptError(failure) : seen?.Error;
                reason = error is null ? "the server recorded an error" : null;
            }
        }
        else
        {
            status = PromptStatus.Succeeded;
        }

        var cached = ReadCached(messages);
        return new PromptResult
        {
            PromptId = promptId,
            Status = status,
            Error = error,
            Reason = reason,
            Outputs = entry.Outputs,
            History = entry,
            CachedNodes = cached?.Nodes ?? run.CachedNodesSeen(),
        };
    }

    /// <summary>
    /// Reads the recorded <c>execution_cached</c> (every run has one) with the WebSocket's hand-written reader, straight from the entry's bytes;
    /// <see langword="null"/> when it was not recorded or cannot be read.
    /// </summary>
    private static ExecutionCachedMessage? ReadCached(HistoryStatus? status)
    {
        if (status?.FindMessage("execution_cached") is not { ValueKind: JsonValueKind.Object } data)
        {
            return null;
        }

#if NET9_0_OR_GREATER
        try
        {
            var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(data));
            reader.Read();
            return (ExecutionCachedMessage)HotMessageReaders.ExecutionCached(ref reader);
        }
        catch (JsonException)
        {
            // Recorded, but not in the shape the SDK knows: the caller falls back to what the WebSocket said.
            return null;
        }
#else
        Read(status, "execution_cached", ComfyJsonContext.Default.ExecutionCachedMessage, out var cached);
        return cached;
#endif
    }

    /// <summary>
    /// Reads a recorded message as the typed WebSocket message. Returns whether it was recorded; <paramref name="message"/> is
    /// <see langword="null"/> when it was recorded but cannot be read.
    /// </summary>
    private static bool Read<T>(HistoryStatus? status, string eventName, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, out T? message)
        where T : class
    {
        message = null;
        if (status?.FindMessage(eventName) is not { } data)
        {
            return false;
        }

        if (data.ValueKind == JsonValueKind.Object)
        {
            try
            {
                message = data.Deserialize(typeInfo);
            }
            catch (JsonException)
            {
                // Recorded, but not in the shape the SDK knows: the caller falls back to what the WebSocket said.
            }
        }

        return true;
    }
}
