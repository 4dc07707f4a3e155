using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>Source-generated log messages of <see cref="ComfyUIPool"/>. Never logs API keys or headers.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 60, EventName = "PoolServerUp", Level = LogLevel.Information, Message = "Pool server {Server} is up")]
    public static partial void ServerUp(ILogger logger, string server);

    [LoggerMessage(EventId = 61, EventName = "PoolServerDown", Level = LogLevel.Warning, Message = "Pool server {Server} is down: {Error}")]
    public static partial void ServerDown(ILogger logger, string server, string error);

    [LoggerMessage(EventId = 62, EventName = "PoolServerRestarted", Level = LogLevel.Warning, Message = "Pool server {Server} restarted: {Reason}")]
    public static partial void ServerRestarted(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 63, EventName = "PoolCapabilitiesFailed", Level = LogLevel.Warning, Message = "The capabilities of pool server {Server} could not be read: {Error}")]
    public static partial void CapabilitiesFailed(ILogger logger, string server, string error);

    [LoggerMessage(EventId = 64, EventName = "PoolSocketFailed", Level = LogLevel.Debug, Message = "The WebSocket of pool server {Server} failed: {Error}")]
    public static partial void SocketFailed(ILogger logger, string server, string error);

    [LoggerMessage(EventId = 65, EventName = "PoolMonitorFailed", Level = LogLevel.Debug, Message = "Watching pool server {Server} failed: {Error}")]
    public static partial void MonitorFailed(ILogger logger, string server, string error);

    [LoggerMessage(EventId = 66, EventName = "PoolPromptPlaced", Level = LogLevel.Information, Message = "Prompt {PromptId} placed on pool server {Server} (attempt {Attempt})")]
    public static partial void Placed(ILogger logger, string promptId, string server, int attempt);

    [LoggerMessage(EventId = 67, EventName = "PoolPromptResubmitting", Level = LogLevel.Warning, Message = "Prompt {PromptId} is submitted again: {Reason}")]
    public static partial void Resubmitting(ILogger logger, string promptId, string reason);

    [LoggerMessage(EventId = 68, EventName = "PoolSubmitUnreachable", Level = LogLevel.Warning, Message = "Pool server {Server} could not be reached for prompt {PromptId}; trying another server: {Error}")]
    public static partial void SubmitUnreachable(ILogger logger, string server, string promptId, string error);
}
