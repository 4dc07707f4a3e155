using System.Diagnostics.CodeAnalysis;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// The server's internal routes (<c>/internal/…</c>, no <c>/api</c> form): logs, folder paths, file lists. The server says they are for its
/// frontend only and may change, hence experimental. Get it from <see cref="ComfyUIClient.Internal"/>. Thread-safe.
/// </summary>
[Experimental("COMFYUI001")]
public class InternalClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected InternalClient()
    {
    }

    internal InternalClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>Reads the buffered console log as one text (<c>GET /internal/logs</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The log text.</returns>
    public virtual Task<string> GetLogsAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Literal(HttpMethod.Get, "internal", "logs"), ComfyJsonContext.Default.String, cancellationToken);

    /// <summary>Reads the buffered console log as entries (<c>GET /internal/logs/raw</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries and terminal size.</returns>
    public virtual Task<ServerLogs> GetRawLogsAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Literal(HttpMethod.Get, "internal", "logs", "raw"), ComfyJsonContext.Default.ServerLogs, cancellationToken);

    /// <summary>
    /// Subscribes a WebSocket client to <c>logs</c> messages, or unsubscribes it (<c>PATCH /internal/logs/subscribe</c>).
    /// </summary>
    /// <param name="enabled">Subscribe (<see langword="true"/>) or unsubscribe.</param>
    /// <param name="clientId">The WebSocket client id; <see langword="null"/> for this client's <see cref="ComfyUIClientOptions.ClientId"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server answered.</returns>
    public virtual Task SubscribeLogsAsync(bool enabled, string? clientId = null, CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Literal(HttpMethod.Patch, "internal", "logs", "subscribe");
        call.Content = RequestContent.Json(new LogsSubscribeBody { ClientId = clientId ?? _pipeline.Options.ClientId, Enabled = enabled }, ComfyJsonContext.Default.LogsSubscribeBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }

    /// <summary>Reads the folders the server searches per model folder key (<c>GET /internal/folder_paths</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Absolute paths by folder key.</returns>
    public virtual async Task<IReadOnlyDictionary<string, string[]>> GetFolderPathsAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Literal(HttpMethod.Get, "internal", "folder_paths"), ComfyJsonContext.Default.DictionaryStringStringArray, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Lists the top-level files of a folder type, newest first (<c>GET /internal/files/{type}</c>), each as <c>"name [type]"</c>.
    /// An unknown type answers 400 (<see cref="ComfyUIApiException"/>).
    /// </summary>
    /// <param name="type"><c>output</c>, <c>input</c> or <c>temp</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The annotated file names.</returns>
    public virtual async Task<IReadOnlyList<string>> GetFilesAsync(string type, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        return await _pipeline.SendJsonAsync(ComfyRequest.Literal(HttpMethod.Get, "internal", "files").Escaped(type), ComfyJsonContext.Default.StringArray, cancellationToken).ConfigureAwait(false);
    }
}
