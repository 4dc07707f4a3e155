namespace ComfyUI.Client.Diagnostics;

/// <summary>The lower-case names of run states and outcomes shared by spans, metrics and logs (<c>comfyui.run.status</c>, <c>error.type</c>).</summary>
internal static class StatusNames
{
    /// <summary>The value of <c>comfyui.run.status</c>.</summary>
    public static string Of(PromptStatus status) => status switch
    {
        PromptStatus.Submitting => "submitting",
        PromptStatus.Queued => "queued",
        PromptStatus.Running => "running",
        PromptStatus.Succeeded => "succeeded",
        PromptStatus.Failed => "failed",
        PromptStatus.Interrupted => "interrupted",
        PromptStatus.Cancelled => "cancelled",
        PromptStatus.Lost => "lost",
        _ => TelemetryNames.OtherValue,
    };

    /// <summary>
    /// The value of <c>error.type</c> for a run's result: the server's exception type of a failed run (<c>execution_error</c> when it named none),
    /// <c>interrupted</c>, <c>lost</c>; <see langword="null"/> for a success or a cancel (asked for by the caller: not an error).
    /// </summary>
    public static string? ErrorType(PromptResult result) => result.Status switch
    {
        PromptStatus.Failed => result.Error?.ExceptionType is { Length: > 0 } type ? type : "execution_error",
        PromptStatus.Interrupted => "interrupted",
        PromptStatus.Lost => "lost",
        _ => null,
    };

    /// <summary>The value of <c>error.type</c> for a submission that failed before the prompt was queued.</summary>
    public static string? ErrorType(Exception exception) => exception switch
    {
        ComfyUIPromptValidationException rejected => rejected.ErrorType is { Length: > 0 } type ? type : "validation_error",
        OperationCanceledException => null,
        _ => exception.GetType().FullName,
    };
}
