using System.Text.Json;
using ComfyUI.Client.Serialization;

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
    /// <param name="cachedSeen">The cached nodes the WebSocket reported, asked for only when the history does not list them.</param>
    public static PromptResult Interpret(string promptId, HistoryEntry entry, RunOutcome? seen, bool cancelRequested, Func<IReadOnlyList<string>> cachedSeen)
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

        Read(messages, "execution_cached", ComfyJsonContext.Default.ExecutionCachedMessage, out var cached);
        return new PromptResult
        {
            PromptId = promptId,
            Status = status,
            Error = error,
            Reason = reason,
            Outputs = entry.Outputs,
            History = entry,
            CachedNodes = cached?.Nodes ?? cachedSeen(),
        };
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
