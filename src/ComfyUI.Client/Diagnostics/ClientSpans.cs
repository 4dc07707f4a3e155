using System.Diagnostics;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// The spans of single calls that matter inside a run: the prompt's POST and file transfers. Each starts as a child of
/// <see cref="Activity.Current"/> (the run's span during a run) and returns <see langword="null"/>, allocating nothing, while nobody listens.
/// </summary>
internal static class ClientSpans
{
    /// <summary>Starts <c>comfyui.submit</c> for one <c>POST /prompt</c>.</summary>
    public static Activity? StartSubmit(ServerEndpoint server) => Start(TelemetryNames.SubmitSpan, server);

    /// <summary>Starts <c>comfyui.download</c> for one file read from <c>/view</c>.</summary>
    public static Activity? StartDownload(ServerEndpoint server, OutputFile file)
    {
        var span = Start(TelemetryNames.DownloadSpan, server);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(TelemetryNames.FileName, file.Filename);
            span.SetTag(TelemetryNames.FileSubfolder, file.Subfolder);
            span.SetTag(TelemetryNames.FileType, string.IsNullOrEmpty(file.Type) ? "output" : file.Type);
        }

        return span;
    }

    /// <summary>Starts <c>comfyui.upload</c> for one file sent to <c>/upload/image</c> or <c>/upload/mask</c>.</summary>
    public static Activity? StartUpload(ServerEndpoint server, string fileName, string type, string? subfolder)
    {
        var span = Start(TelemetryNames.UploadSpan, server);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(TelemetryNames.FileName, fileName);
            span.SetTag(TelemetryNames.FileSubfolder, subfolder ?? "");
            span.SetTag(TelemetryNames.FileType, type);
        }

        return span;
    }

    /// <summary>Marks a span failed with <c>error.type</c> (the server's validation error type, or the exception's type).</summary>
    public static void Fail(Activity span, Exception exception)
    {
        if (StatusNames.ErrorType(exception) is not { } errorType)
        {
            return;
        }

        span.SetTag(TelemetryNames.ErrorType, errorType);
        span.SetStatus(ActivityStatusCode.Error, exception.Message);
    }

    private static Activity? Start(string name, ServerEndpoint server)
    {
        if (!ComfyTelemetry.Source.HasListeners())
        {
            return null;
        }

        var span = ComfyTelemetry.Source.StartActivity(name, ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            server.SetOn(span);
        }

        return span;
    }
}
