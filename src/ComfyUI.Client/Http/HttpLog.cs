using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Http;

/// <summary>
/// Source-generated log messages of the request pipeline (event ids 1–9; the README lists every event id of the SDK). Never logs API keys,
/// auth headers, header values or query strings: routes are logged as templates.
/// </summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1, EventName = "HttpResponse", Level = LogLevel.Debug, Message = "{Method} {Route} answered {StatusCode}")]
    public static partial void Response(ILogger logger, string method, string route, int statusCode);

    [LoggerMessage(EventId = 2, EventName = "HttpTimeout", Level = LogLevel.Warning, Message = "{Method} {Route} timed out after {Timeout}")]
    public static partial void Timeout(ILogger logger, string method, string route, TimeSpan timeout);

    [LoggerMessage(EventId = 3, EventName = "PromptQueued", Level = LogLevel.Information, Message = "Queued prompt {PromptId} as number {Number}")]
    public static partial void PromptQueued(ILogger logger, string promptId, double number);
}
