using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>
/// Source-generated log messages of the run tracker (event ids 20–29; the README lists every event id of the SDK). Fields carry the values of the
/// span attributes: <c>PromptId</c> = <c>comfyui.prompt_id</c>, <c>Status</c> = <c>comfyui.run.status</c>, <c>ErrorType</c> = <c>error.type</c>.
/// Never logs API keys, auth headers or header values.
/// </summary>
internal static partial class RunLog
{
    [LoggerMessage(EventId = 20, EventName = "RunCancelling", Level = LogLevel.Information, Message = "Cancelling prompt {PromptId}")]
    public static partial void Cancelling(ILogger logger, string promptId);

    [LoggerMessage(EventId = 21, EventName = "RunReconcileFailed", Level = LogLevel.Debug, Message = "Could not reconcile prompt {PromptId}: {Error}")]
    public static partial void ReconcileFailed(ILogger logger, string promptId, string error);

    [LoggerMessage(EventId = 22, EventName = "RunFinished", Level = LogLevel.Information, Message = "Prompt {PromptId} ended as {Status} (error type {ErrorType})")]
    public static partial void Finished(ILogger logger, string promptId, string status, string? errorType);

    [LoggerMessage(EventId = 23, EventName = "RunSocketUnavailable", Level = LogLevel.Warning, Message = "No WebSocket for runs ({Error}); following them by polling")]
    public static partial void SocketUnavailable(ILogger logger, string error);

    [LoggerMessage(EventId = 24, EventName = "PromptSubmitRetrying", Level = LogLevel.Warning, Message = "Submitting prompt {PromptId} failed in transport ({Error}); checking the server before one retry")]
    public static partial void SubmitRetrying(ILogger logger, string promptId, string error);
}
