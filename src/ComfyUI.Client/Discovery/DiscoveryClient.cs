using System.Net;
using System.Text.Json;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// What the server offers: node definitions, models, embeddings, extensions, feature flags, system stats, templates, translations,
/// node replacements and global subgraphs. Get it from <see cref="ComfyUIClient.Discovery"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Absent rule: single-item lookups return <see langword="null"/> when the server says the item is absent (404, <c>{}</c> or a
/// <c>null</c> body); other failures throw <see cref="ComfyUIApiException"/>; malformed bodies throw <see cref="ComfyUIProtocolException"/>.
/// </remarks>
public class DiscoveryClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;
    private readonly object _schemaLock = new();
    private Task<NodeSchema>? _schema;

    /// <summary>For mocking only.</summary>
    protected DiscoveryClient()
    {
    }

    internal DiscoveryClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>
    /// Reads every node definition (<c>GET /object_info</c>, megabytes). The answer is parsed once and indexed by class name; each
    /// definition is built the first time it is looked up or enumerated, so finding a few classes costs little more than the JSON parse.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The definitions by class name.</returns>
    public virtual async Task<IReadOnlyDictionary<string, NodeDefinition>> GetObjectInfoAsync(CancellationToken cancellationToken = default) =>
        await ReadObjectInfoAsync(ComfyRequest.Api(HttpMethod.Get, "object_info"), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Reads <c>GET /object_info</c> as JSON text, checked to be a JSON object: to save it for offline use (code generation at build
    /// time from a <c>*.object_info.json</c> file, conversion and validation without a server).
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The JSON text (Python's bare <c>NaN</c>/<c>Infinity</c>, if the server sent any, replaced so the text is valid JSON).</returns>
    public virtual async Task<string> GetObjectInfoJsonAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendBufferedAsync(ComfyRequest.Api(HttpMethod.Get, "object_info"), ReadJsonObjectText, cancellationToken).ConfigureAwait(false);

    private static string ReadJsonObjectText(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The answer is not a JSON object of node definitions.");
        }

        reader.Skip();
        if (reader.Read())
        {
            throw new JsonException($"Unexpected data after the JSON value at byte {reader.TokenStartIndex}.");
        }

        return System.Text.Encoding.UTF8.GetString(utf8);
    }

    /// <summary>Reads the definition of one node class (<c>GET /object_info/{class}</c>); <see langword="null"/> when the class is unknown (<c>{}</c>).</summary>
    /// <param name="nodeClass">The class name, for example <c>KSampler</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The definition, or <see langword="null"/> when absent.</returns>
    public virtual async Task<NodeDefinition?> GetNodeDefinitionAsync(string nodeClass, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeClass);
        var call = ComfyRequest.Api(HttpMethod.Get, "object_info").Escaped(nodeClass);
        var all = await ReadObjectInfoAsync(call, cancellationToken).ConfigureAwait(false);
        return all.TryGetValue(nodeClass, out var definition) ? definition : null;
    }

    /// <summary>
    /// The server's node schema (<see cref="NodeSchema"/>), read from <c>GET /object_info</c> once and kept for this client: every later call
    /// answers from the cache. Pass <paramref name="refresh"/> after the server restarted or custom nodes changed.
    /// A failed read is not cached.
    /// </summary>
    /// <param name="refresh">Read <c>/object_info</c> again instead of answering from the cache.</param>
    /// <param name="cancellationToken">Cancels the wait (a read shared with other callers goes on for them).</param>
    /// <returns>The schema.</returns>
    public virtual Task<NodeSchema> GetNodeSchemaAsync(bool refresh = false, CancellationToken cancellationToken = default)
    {
        Task<NodeSchema> task;
        lock (_schemaLock)
        {
            if (refresh || _schema is null || _schema.IsFaulted || _schema.IsCanceled)
            {
                _schema = ReadSchemaAsync();
            }

            task = _schema;
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<NodeSchema> ReadSchemaAsync()
    {
        // Not tied to one caller's token: the read is shared by every caller that waits for it.
        var map = await ReadObjectInfoAsync(ComfyRequest.Api(HttpMethod.Get, "object_info"), CancellationToken.None).ConfigureAwait(false);
        return NodeSchema.FromObjectInfo(map);
    }

    /// <summary>The whole answer indexed by class name; each definition is read when first asked for.</summary>
    private async Task<NodeDefinitionMap> ReadObjectInfoAsync(ComfyRequest call, CancellationToken cancellationToken) =>
        await _pipeline.SendBufferedAsync(call, NodeDefinitionMap.Create, cancellationToken).ConfigureAwait(false)
            ?? throw new ComfyUIProtocolException("The server answered JSON that is not an object where the node definitions were expected.", $"GET {call.Route}", null);

    /// <summary>Lists the model folder keys (<c>GET /models</c>): <c>checkpoints</c>, <c>loras</c>, … (also non-model keys such as <c>custom_nodes</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The folder keys.</returns>
    public virtual async Task<IReadOnlyList<string>> GetModelFoldersAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "models"), ComfyJsonContext.Default.StringArray, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists the model files of a folder (<c>GET /models/{folder}</c>): exactly the values a loader's combo accepts. <see langword="null"/> for an unknown folder (404).</summary>
    /// <param name="folder">The folder key, for example <c>checkpoints</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The file names, or <see langword="null"/> when the folder is unknown.</returns>
    public virtual async Task<IReadOnlyList<string>?> GetModelsAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var call = ComfyRequest.Api(HttpMethod.Get, "models").Escaped(folder);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return await _pipeline.SendJsonOrNullAsync(call, ComfyJsonContext.Default.StringArray, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the model folders with their search paths and extensions (<c>GET /experiment/models</c>, experimental on the server).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The folders.</returns>
    public virtual async Task<IReadOnlyList<ModelFolderInfo>> GetModelFolderInfosAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "experiment", "models"), ComfyJsonContext.Default.ModelFolderInfoArray, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists the model files of a folder with size and times (<c>GET /experiment/models/{folder}</c>); <see langword="null"/> for an unknown folder (404).</summary>
    /// <param name="folder">The folder key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The files, or <see langword="null"/> when the folder is unknown.</returns>
    public virtual async Task<IReadOnlyList<ModelFileInfo>?> GetModelFileInfosAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var call = ComfyRequest.Api(HttpMethod.Get, "experiment", "models").Escaped(folder);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return await _pipeline.SendJsonOrNullAsync(call, ComfyJsonContext.Default.ModelFileInfoArray, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the preview image of a model as a WebP stream (<c>GET /experiment/models/preview/{folder}/{pathIndex}/{filename}</c>); dispose it.
    /// <see langword="null"/> when the model has no preview (404).
    /// </summary>
    /// <param name="folder">The folder key.</param>
    /// <param name="pathIndex">The <see cref="ModelFileInfo.PathIndex"/>.</param>
    /// <param name="fileName">The <see cref="ModelFileInfo.Name"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image stream, or <see langword="null"/> when absent.</returns>
    public virtual Task<Stream?> OpenModelPreviewAsync(string folder, int pathIndex, string fileName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var call = ComfyRequest.Api(HttpMethod.Get, "experiment", "models", "preview").Escaped(folder)
            .Escaped(pathIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)).Escaped(fileName);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return _pipeline.SendStreamAsync(call, cancellationToken);
    }

    /// <summary>Lists the embedding names without extension (<c>GET /embeddings</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The names.</returns>
    public virtual async Task<IReadOnlyList<string>> GetEmbeddingsAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "embeddings"), ComfyJsonContext.Default.StringArray, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists the URLs of the front-end extensions' scripts (<c>GET /extensions</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The script URLs.</returns>
    public virtual async Task<IReadOnlyList<string>> GetExtensionsAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "extensions"), ComfyJsonContext.Default.StringArray, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads the server's feature flags (<c>GET /features</c>, ComfyUI 0.3.44 and later).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The flags.</returns>
    public virtual async Task<ServerFeatures> GetFeaturesAsync(CancellationToken cancellationToken = default)
    {
        var raw = await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "features"), ComfyJsonContext.Default.DictionaryStringJsonElement, cancellationToken).ConfigureAwait(false);
        return new ServerFeatures
        {
            SupportsPreviewMetadata = Flag(raw, "supports_preview_metadata"),
            SupportsModelTypeTags = Flag(raw, "supports_model_type_tags"),
            NodeReplacements = Flag(raw, "node_replacements"),
            Assets = Flag(raw, "assets"),
            MaxUploadSize = raw.TryGetValue("max_upload_size", out var size) && size.ValueKind == JsonValueKind.Number
                ? size.TryGetInt64(out var whole) ? whole : (long)Math.Min(size.GetDouble(), long.MaxValue)
                : null,
            Extension = raw.TryGetValue("extension", out var extension) ? extension : null,
            Raw = raw,
        };
    }

    private static bool? Flag(Dictionary<string, JsonElement> raw, string name) =>
        raw.TryGetValue(name, out var value) ? value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;

    /// <summary>Reads system facts, versions and devices (<c>GET /system_stats</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stats.</returns>
    public virtual Task<SystemStats> GetSystemStatsAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "system_stats"), ComfyJsonContext.Default.SystemStats, cancellationToken);

    /// <summary>Lists the example workflows of custom node packs (<c>GET /workflow_templates</c>): pack folder → workflow names.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The workflow names by pack.</returns>
    public virtual async Task<IReadOnlyDictionary<string, string[]>> GetWorkflowTemplatesAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "workflow_templates"), ComfyJsonContext.Default.DictionaryStringStringArray, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Reads the safetensors <c>__metadata__</c> of a model (<c>GET /view_metadata/{folder}?filename=…</c>); <see langword="null"/> when the
    /// file is missing, not a .safetensors file or has no metadata (404).
    /// </summary>
    /// <param name="folder">The folder key, for example <c>loras</c>.</param>
    /// <param name="fileName">The model file name as listed by <see cref="GetModelsAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The metadata, or <see langword="null"/> when absent.</returns>
    public virtual async Task<IReadOnlyDictionary<string, JsonElement>?> GetModelMetadataAsync(string folder, string fileName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var call = ComfyRequest.Api(HttpMethod.Get, "view_metadata").Escaped(folder).Query("filename", fileName);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return await _pipeline.SendJsonOrNullAsync(call, ComfyJsonContext.Default.DictionaryStringJsonElement, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the translations of custom nodes (<c>GET /i18n</c>): language → keys, raw.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The raw JSON object.</returns>
    public virtual Task<JsonElement> GetTranslationsAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "i18n"), ComfyJsonContext.Default.JsonElement, cancellationToken);

    /// <summary>Reads the node replacements (<c>GET /node_replacements</c>, ComfyUI 0.13 and later): old class → replacements.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The replacements by old class.</returns>
    public virtual async Task<IReadOnlyDictionary<string, NodeReplacement[]>> GetNodeReplacementsAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "node_replacements"), ComfyJsonContext.Default.DictionaryStringNodeReplacementArray, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists the global subgraphs (<c>GET /global_subgraphs</c>, ComfyUI 0.3.66 and later): id → summary (without <see cref="GlobalSubgraph.Data"/>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subgraphs by id.</returns>
    public virtual async Task<IReadOnlyDictionary<string, GlobalSubgraph>> ListGlobalSubgraphsAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "global_subgraphs"), ComfyJsonContext.Default.DictionaryStringGlobalSubgraph, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads one global subgraph with its data (<c>GET /global_subgraphs/{id}</c>); <see langword="null"/> for an unknown id (the server answers <c>null</c>).</summary>
    /// <param name="id">The subgraph id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subgraph, or <see langword="null"/> when absent.</returns>
    public virtual Task<GlobalSubgraph?> GetGlobalSubgraphAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var call = ComfyRequest.Api(HttpMethod.Get, "global_subgraphs").Escaped(id);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return _pipeline.SendJsonOrNullAsync(call, ComfyJsonContext.Default.GlobalSubgraph, null, cancellationToken);
    }
}
