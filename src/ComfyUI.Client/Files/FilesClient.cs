using System.Net;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// Files: upload images and masks (<c>POST /upload/image</c>, <c>/upload/mask</c>, streamed multipart) and read files (<c>GET /view</c>, streamed).
/// Get it from <see cref="ComfyUIClient.Files"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Absent rule: <see cref="OpenViewAsync"/> returns <see langword="null"/> when the server answers 404; the download methods throw
/// <see cref="ComfyUIApiException"/> instead. Other failures (400, 403, 500) throw <see cref="ComfyUIApiException"/> with the server's body.
/// Timeouts: an upload must complete within <see cref="ComfyUIClientOptions.RequestTimeout"/>; for reads the timeout covers the wait for the
/// response headers, and the body then streams for as long as the caller's token allows.
/// </remarks>
public class FilesClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected FilesClient()
    {
    }

    internal FilesClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>Uploads an image (<c>POST /upload/image</c>), streaming it from <paramref name="content"/> (read from its current position, left open).</summary>
    /// <param name="content">The image bytes.</param>
    /// <param name="fileName">The file name to store it under (the server may rename it; see <see cref="UploadResult.Name"/>).</param>
    /// <param name="options">Folder type, subfolder and overwrite; <see langword="null"/> for <c>input</c>, no subfolder, no overwrite.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the server stored; use <see cref="UploadResult.InputValue"/> in a <c>LoadImage</c> input.</returns>
    public virtual Task<UploadResult> UploadImageAsync(Stream content, string fileName, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        UploadAsync("image", content, fileName, options, null, cancellationToken);

    /// <summary>Uploads a local image file (<c>POST /upload/image</c>) under its own file name, streaming it from disk.</summary>
    /// <param name="filePath">The path of the file.</param>
    /// <param name="options">Folder type, subfolder and overwrite; <see langword="null"/> for <c>input</c>, no subfolder, no overwrite.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the server stored.</returns>
    public virtual async Task<UploadResult> UploadImageAsync(string filePath, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var file = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            return await UploadAsync("image", file, Path.GetFileName(filePath), options, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Uploads a mask (<c>POST /upload/mask</c>): the server copies the alpha channel of <paramref name="content"/> into the image
    /// <paramref name="original"/> and stores the result as a PNG under <paramref name="fileName"/>. A wrong <paramref name="original"/> is silently ignored by the server.
    /// </summary>
    /// <param name="content">The mask image bytes (its alpha channel is used).</param>
    /// <param name="fileName">The file name to store the result under.</param>
    /// <param name="original">The image the mask applies to (for example the result of an earlier upload, <see cref="UploadResult.ToOutputFile"/>).</param>
    /// <param name="options">Folder type, subfolder and overwrite of the stored result.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the server stored.</returns>
    public virtual Task<UploadResult> UploadMaskAsync(Stream content, string fileName, OutputFile original, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        return UploadAsync("mask", content, fileName, options, original, cancellationToken);
    }

    private async Task<UploadResult> UploadAsync(string route, Stream content, string fileName, UploadOptions? options, OutputFile? original, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        options ??= new UploadOptions();
        var fields = new List<KeyValuePair<string, string>>
        {
            new("type", options.Type),
            new("subfolder", options.Subfolder ?? ""),
            new("overwrite", options.Overwrite ? "true" : "false"),
        };
        if (original is not null)
        {
            var reference = new MaskOriginalRef { Filename = original.Filename, Subfolder = original.Subfolder, Type = original.Type };
            fields.Add(new("original_ref", System.Text.Json.JsonSerializer.Serialize(reference, ComfyJsonContext.Default.MaskOriginalRef)));
        }

        var call = ComfyRequest.Api(HttpMethod.Post, "upload", route);
        using var body = RequestContent.Multipart(fields, "image", content, fileName, _pipeline.Server, out var filePart);
        call.Content = body;
        using var span = ClientSpans.StartUpload(_pipeline.Server, fileName, options.Type, options.Subfolder);
        try
        {
            var result = await _pipeline.SendJsonAsync(call, ComfyJsonContext.Default.UploadResult, cancellationToken).ConfigureAwait(false);
            span?.SetTag(TelemetryNames.FileSize, filePart.BytesSent);
            return result;
        }
        catch (Exception ex) when (span is not null)
        {
            ClientSpans.Fail(span, ex);
            throw;
        }
    }

    /// <summary>
    /// Opens a file the server holds (<c>GET /view</c>) as a non-buffered stream; dispose it to release the connection.
    /// Returns <see langword="null"/> when the server has no such file (404).
    /// </summary>
    /// <param name="file">The file (from outputs, history or an upload).</param>
    /// <param name="options">Preview re-encoding and channel; <see langword="null"/> for the original bytes.</param>
    /// <param name="cancellationToken">Cancels the call (until the headers arrived; reads take their own token).</param>
    /// <returns>The body stream, or <see langword="null"/> when absent.</returns>
    public virtual Task<Stream?> OpenViewAsync(OutputFile file, ViewOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = ViewRequest(file, options);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return _pipeline.SendStreamAsync(call, cancellationToken);
    }

    /// <summary>Copies a file the server holds (<c>GET /view</c>) into <paramref name="destination"/>, streaming. Throws <see cref="ComfyUIApiException"/> (404) when absent.</summary>
    /// <param name="file">The file.</param>
    /// <param name="destination">Where to write the bytes (left open).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when all bytes were written.</returns>
    public virtual async Task DownloadAsync(OutputFile file, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var call = ViewRequest(file, null);
        using var span = ClientSpans.StartDownload(_pipeline.Server, file);
        try
        {
            var source = await _pipeline.SendStreamAsync(call, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("Unreachable: no status passes through.");
            await using (source.ConfigureAwait(false))
            {
                await source.CopyToAsync(destination, 81920, cancellationToken).ConfigureAwait(false);
                span?.SetTag(TelemetryNames.FileSize, ((ResponseStream)source).BytesRead);
            }
        }
        catch (Exception ex) when (span is not null)
        {
            ClientSpans.Fail(span, ex);
            throw;
        }
    }

    /// <summary>
    /// Downloads a file the server holds (<c>GET /view</c>) to <paramref name="path"/>: written to a temporary file in the same folder,
    /// then moved over <paramref name="path"/> (the folder is created). Throws <see cref="ComfyUIApiException"/> (404) when absent; nothing is left behind on failure.
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="path">The local path to write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public virtual async Task DownloadToFileAsync(OutputFile file, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var temp = await DownloadToTemporaryFileAsync(file, fullPath, cancellationToken).ConfigureAwait(false);
        try
        {
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            DeleteIfLeft(temp);
        }
    }

    /// <summary>
    /// Downloads like <see cref="DownloadToFileAsync"/> but never replaces a file: when <paramref name="path"/> exists, the file gets the
    /// next free name (<see cref="FreeFileNames"/>), checked at the moment it is moved into place.
    /// </summary>
    /// <returns>The path the file was saved to.</returns>
    internal async Task<string> DownloadToNewFileAsync(OutputFile file, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var temp = await DownloadToTemporaryFileAsync(file, fullPath, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var candidate in FreeFileNames.Candidates(fullPath))
            {
                try
                {
                    File.Move(temp, candidate, overwrite: false);
                    return candidate;
                }
                catch (IOException) when (File.Exists(candidate) || Directory.Exists(candidate))
                {
                    // Taken (perhaps a moment ago by another download): the next name.
                }
            }

            throw new InvalidOperationException("Unreachable: the candidate names never end.");
        }
        finally
        {
            DeleteIfLeft(temp);
        }
    }

    /// <summary>Streams the file into a new temporary file next to <paramref name="fullPath"/> (its folder is created); deleted on failure.</summary>
    private async Task<string> DownloadToTemporaryFileAsync(OutputFile file, string fullPath, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (target.ConfigureAwait(false))
            {
                await DownloadAsync(file, target, cancellationToken).ConfigureAwait(false);
            }

            return temp;
        }
        catch
        {
            DeleteIfLeft(temp);
            throw;
        }
    }

    private static void DeleteIfLeft(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Builds the absolute <c>/api/view</c> URL of a file (for a browser, an &lt;img&gt; or another HTTP client). Every part is escaped.
    /// Headers (API key, <c>Comfy-User</c>) are not part of a URL.
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="options">Preview re-encoding and channel.</param>
    /// <returns>The URL.</returns>
    public virtual Uri GetViewUri(OutputFile file, ViewOptions? options = null) => _pipeline.Resolve(ViewRequest(file, options).RelativeUrl);

    private static ComfyRequest ViewRequest(OutputFile file, ViewOptions? options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentException.ThrowIfNullOrEmpty(file.Filename, nameof(file));
        var call = ComfyRequest.Api(HttpMethod.Get, "view")
            .Query("filename", file.Filename)
            .Query("type", string.IsNullOrEmpty(file.Type) ? "output" : file.Type)
            .Query("subfolder", file.Subfolder ?? "");
        if (options?.PreviewFormat is { Length: > 0 } format)
        {
            call.Query("preview", format + ";" + (options.PreviewQuality ?? 90).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (options?.Channel is { } channel)
        {
            call.Query("channel", channel switch { ViewChannel.Rgb => "rgb", ViewChannel.Alpha => "a", _ => "rgba" });
        }

        return call;
    }
}
