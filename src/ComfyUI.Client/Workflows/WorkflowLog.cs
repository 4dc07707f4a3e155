using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>Source-generated log messages of the workflow layer.</summary>
internal static partial class WorkflowLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void NodeLeftOut(ILogger logger, string warning);
}
