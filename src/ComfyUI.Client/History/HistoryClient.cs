using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// The history of finished prompts: <c>GET /history</c>, <c>GET /history/{id}</c>, <c>POST /history</c>. Get it from
/// <see cref="ComfyUIClient.History"/>. Thread-safe.
/// </summary>
public class HistoryClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected HistoryClient()
    {
    }

    internal HistoryClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>
    /// Lists finished prompts, oldest first (<c>GET /history</c>). Without <paramref name="offset"/>, <paramref name="maxItems"/> gives the newest N.
    /// Pass <paramref name="maxItems"/>: without it the server returns its whole history (up to about 10 000 entries).
    /// </summary>
    /// <param name="maxItems">The most entries to return, or <see langword="null"/> for all.</param>
    /// <param name="offset">The index of the first entry in insertion order (oldest = 0), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries, oldest first.</returns>
    public virtual async Task<IReadOnlyList<HistoryEntry>> ListAsync(int? maxItems = null, int? offset = null, CancellationToken cancellationToken = default)
    {
        if (maxItems is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "maxItems must not be negative.");
        }

        if (offset is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "offset must not be negative.");
        }

        var call = ComfyRequest.Api(HttpMethod.Get, "history").Query("max_items", maxItems).Query("offset", offset);
        var entries = await _pipeline.SendJsonAsync(call, ComfyJsonContext.Default.DictionaryStringHistoryEntry, cancellationToken).ConfigureAwait(false);
        return entries.Values.ToArray();
    }

    /// <summary>
    /// Reads the history entry of one prompt (<c>GET /history/{id}</c>). Returns <see langword="null"/> when the server has none
    /// (the prompt is unknown, or has not finished yet).
    /// </summary>
    /// <param name="promptId">The prompt id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry, or <see langword="null"/> when absent.</returns>
    public virtual Task<HistoryEntry?> GetAsync(string promptId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(promptId);
        var call = ComfyRequest.Api(HttpMethod.Get, "history").Escaped(promptId);

        // Read by hand (every tracked run reads its entry): only the entry asked for is materialized.
        return _pipeline.SendBufferedAsync(call, utf8 => HistoryEntryReader.ReadEntry(utf8, promptId), cancellationToken);
    }

    /// <summary>Deletes the history entries of these prompts (<c>POST /history {"delete": [...]}</c>). Unknown ids are ignored.</summary>
    /// <param name="promptIds">The prompt ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server answered.</returns>
    public virtual Task DeleteAsync(IEnumerable<string> promptIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        var call = ComfyRequest.Api(HttpMethod.Post, "history");
        call.Content = RequestContent.Json(new ClearOrDeleteBody { Delete = promptIds.ToArray() }, ComfyJsonContext.Default.ClearOrDeleteBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }

    /// <summary>Deletes the whole history, every client's (<c>POST /history {"clear": true}</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server answered.</returns>
    public virtual Task ClearAsync(CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Post, "history");
        call.Content = RequestContent.Json(new ClearOrDeleteBody { Clear = true }, ComfyJsonContext.Default.ClearOrDeleteBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }
}
