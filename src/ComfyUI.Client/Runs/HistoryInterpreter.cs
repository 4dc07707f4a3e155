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
        if (messages is not null && string.Equals(messages.StatusStr, "error", StringComparison.Ordinal))
        {
            if (messages.TryReadRecorded("execution_interrupted", ReadInterrupted, out var interrupted))
            {
                status = cancelRequested ? PromptStatus.Cancelled : PromptStatus.Interrupted;
                reason = interrupted is null ? "interrupted" : RunMessageMapper.InterruptReason(interrupted);
            }
            else
            {
                status = PromptStatus.Failed;
                messages.TryReadRecorded("execution_error", ReadError, out var failure);
                error = failure is not null ? RunMessageMapper.ToPromptError(failure) : seen?.Error;
                reason = error is null ? "the server recorded an error" : null;
            }
        }
        else
        {
            status = PromptStatus.Succeeded;
        }

        // The recorded execution_cached (every run has one), read with the WebSocket's hand-written reader straight from the entry's bytes;
        // when it was not recorded or cannot be read, what the WebSocket said stands in.
        ExecutionCachedMessage? cached = null;
        messages?.TryReadRecorded("execution_cached", ReadCached, out cached);
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

    private static ExecutionInterruptedMessage ReadInterrupted(ref Utf8JsonReader reader) =>
        JsonSerializer.Deserialize(ref reader, ComfyJsonContext.Default.ExecutionInterruptedMessage)!;

    private static ExecutionErrorMessage ReadError(ref Utf8JsonReader reader) =>
        JsonSerializer.Deserialize(ref reader, ComfyJsonContext.Default.ExecutionErrorMessage)!;

    private static ExecutionCachedMessage ReadCached(ref Utf8JsonReader reader) => (ExecutionCachedMessage)HotMessageReaders.ExecutionCached(ref reader);
}
