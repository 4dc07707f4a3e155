using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>Source-generated log messages of the run tracker. Never logs API keys, auth headers or header values.</summary>
internal static partial class RunLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Cancelling prompt {PromptId}")]
    public static partial void Cancelling(ILogger logger, string promptId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Could not reconcile prompt {PromptId}: {Error}")]
    public static partial void ReconcileFailed(ILogger logger, string promptId, string error);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Prompt {PromptId} ended as {Status}")]
    public static partial void Finished(ILogger logger, string promptId, PromptStatus status);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "No WebSocket for runs ({Error}); following them by polling")]
    public static partial void SocketUnavailable(ILogger logger, string error);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "Submitting prompt {PromptId} failed in transport ({Error}); checking the server before one retry")]
    public static partial void SubmitRetrying(ILogger logger, string promptId, string error);
}
