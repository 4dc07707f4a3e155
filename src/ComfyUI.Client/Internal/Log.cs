using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Internal;

/// <summary>Source-generated log messages. Never log API keys, auth headers or header values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Method} {Route} answered {StatusCode}")]
    public static partial void Response(ILogger logger, string method, string route, int statusCode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Method} {Route} timed out after {Timeout}")]
    public static partial void Timeout(ILogger logger, string method, string route, TimeSpan timeout);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Queued prompt {PromptId} as number {Number}")]
    public static partial void PromptQueued(ILogger logger, string promptId, double number);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Cancelling prompt {PromptId}")]
    public static partial void RunCancelling(ILogger logger, string promptId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Could not reconcile prompt {PromptId}: {Error}")]
    public static partial void RunReconcileFailed(ILogger logger, string promptId, string error);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Prompt {PromptId} ended as {Status}")]
    public static partial void RunFinished(ILogger logger, string promptId, PromptStatus status);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "No WebSocket for runs ({Error}); following them by polling")]
    public static partial void RunSocketUnavailable(ILogger logger, string error);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "Submitting prompt {PromptId} failed in transport ({Error}); checking the server before one retry")]
    public static partial void SubmitRetrying(ILogger logger, string promptId, string error);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void NodeLeftOut(ILogger logger, string warning);
}
