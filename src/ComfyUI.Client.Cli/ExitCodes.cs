namespace ComfyUI.Client.Cli;

/// <summary>The process exit codes of the <c>comfyui</c> command.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int NotConvertible = 1;
    public const int Usage = 2;
    public const int Cancelled = 3;
    public const int Lost = 4;
    public const int Unreachable = 5;

    public static int For(PromptStatus status) => status switch
    {
        PromptStatus.Succeeded => Success,
        PromptStatus.Failed => RunFailed,
        PromptStatus.Interrupted or PromptStatus.Cancelled => Cancelled,
        _ => Lost,
    };
}

/// <summary>A usage error found after parsing (an unknown node in --set, a file that does not exist…): exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
