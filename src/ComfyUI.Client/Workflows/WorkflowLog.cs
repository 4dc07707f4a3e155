using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>Source-generated log messages of the workflow builders (event ids 40–49; the README lists every event id of the SDK).</summary>
internal static partial class WorkflowLog
{
    [LoggerMessage(EventId = 40, EventName = "WorkflowNodeLeftOut", Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void NodeLeftOut(ILogger logger, string warning);
}
