using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>Which part of a ComfyUI image to load.</summary>
public enum WorkflowImagePart
{
    /// <summary>The editor's workflow (<c>workflow</c>), converted with the server's node schema; the prompt when the image has no workflow.</summary>
    Workflow,

    /// <summary>The prompt that ran (<c>prompt</c>), as it is.</summary>
    Prompt,
}

/// <summary>Options for loading a workflow that may be a UI workflow or an image.</summary>
public sealed class WorkflowLoadOptions
{
    /// <summary>From an image: the workflow (default; converted) or the prompt.</summary>
    public WorkflowImagePart ImagePart { get; init; }

    /// <summary>Options of the conversion of a UI workflow, or <see langword="null"/> for the defaults.</summary>
    public WorkflowConversionOptions? Conversion { get; init; }
}

/// <content>Loading API prompts, UI workflows and ComfyUI images.</content>
public sealed partial class Workflow
{
    private const string UiWorkflowNeedsSchema =
        "This is a UI (editor) format workflow (it has top-level \"nodes\"/\"links\" arrays), not the API format that POST /prompt runs. " +
        "Load it with the server's node schema to convert it: Workflow.LoadAsync(path, client) or Workflow.LoadAsync(path, NodeSchema.LoadAsync(\"object_info.json\")) " +
        "(CLI: comfyui convert). Or export it from ComfyUI with \"Export (API)\".";

    /// <summary>Where the workflow came from: an API prompt, or a UI workflow converted (from JSON or an image).</summary>
    public WorkflowSourceFormat SourceFormat { get; private set; }

    /// <summary>The warnings of the conversion when the workflow was converted from the editor's format (empty otherwise).</summary>
    public IReadOnlyList<WorkflowDiagnostic> ConversionDiagnostics { get; private set; } = [];

    /// <summary>
    /// Orders node ids the way ComfyUI numbers them: segment by segment (<c>:</c> separates subgraph levels), numbers as numbers, so
    /// <c>"2"</c> &lt; <c>"10"</c> &lt; <c>"10:3"</c> &lt; <c>"57:30"</c>. Segments that are not numbers compare as ordinal text.
    /// </summary>
    public static IComparer<string> NodeIdComparer { get; } = Comparer<string>.Create(CompareNodeIds);

    private JsonObject? _uiWorkflow;

    /// <summary>
    /// A copy of the editor's workflow this prompt was converted from (<see langword="null"/> for an API prompt). The editor sends it with
    /// each prompt as <c>extra_data.extra_pnginfo.workflow</c>, so that SaveImage embeds it in the images; do the same with
    /// <c>new PromptOptions { ExtraData = new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = workflow.UiWorkflow } } }</c>.
    /// </summary>
    public JsonObject? UiWorkflow => (JsonObject?)_uiWorkflow?.DeepClone();

    /// <summary>A workflow made by <see cref="UiWorkflowConverter"/> from <paramref name="uiWorkflow"/> (kept as a copy).</summary>
    internal static Workflow FromConverted(JsonObject prompt, IReadOnlyList<WorkflowDiagnostic> diagnostics, JsonObject uiWorkflow) =>
        new(prompt, originalText: null)
        {
            SourceFormat = WorkflowSourceFormat.UiWorkflow,
            ConversionDiagnostics = diagnostics,
            _uiWorkflow = (JsonObject)uiWorkflow.DeepClone(),
        };

    private static int CompareNodeIds(string? x, string? y)
    {
        var a = (x ?? "").Split(':');
        var b = (y ?? "").Split(':');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var numbers = long.TryParse(a[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var m)
                & long.TryParse(b[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n);
            var order = numbers ? m.CompareTo(n) : string.CompareOrdinal(a[i], b[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    /// <summary>
    /// Reads a workflow in any of the forms users have: an API prompt, a UI (editor) workflow converted with <paramref name="schema"/>,
    /// or a PNG/WebP that ComfyUI wrote (its workflow converted, or its prompt; see <see cref="WorkflowLoadOptions.ImagePart"/>).
    /// <see cref="SourceFormat"/> says which it found; <see cref="ConversionDiagnostics"/> lists the conversion's warnings.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="schema">The node schema of the server that will run it.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="WorkflowConversionException">A UI workflow cannot be converted; its diagnostics name the nodes.</exception>
    /// <exception cref="FormatException">The file is none of these forms; the message names the file and the problem.</exception>
    public static Task<Workflow> LoadAsync(string path, NodeSchema schema, WorkflowLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        return LoadFileAsync(path, _ => Task.FromResult(schema), options ?? new WorkflowLoadOptions(), cancellationToken);
    }

    /// <summary>
    /// Reads a workflow in any form (see <see cref="LoadAsync(string, NodeSchema, WorkflowLoadOptions?, CancellationToken)"/>), reading the
    /// server's node schema from <paramref name="client"/> (<see cref="DiscoveryClient.GetNodeSchemaAsync"/>, cached) only when a UI workflow
    /// has to be converted.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="client">The client of the server that will run it.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="WorkflowConversionException">A UI workflow cannot be converted; its diagnostics name the nodes.</exception>
    /// <exception cref="FormatException">The file is none of these forms.</exception>
    public static Task<Workflow> LoadAsync(string path, ComfyUIClient client, WorkflowLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(client);
        return LoadFileAsync(path, ct => client.Discovery.GetNodeSchemaAsync(cancellationToken: ct), options ?? new WorkflowLoadOptions(), cancellationToken);
    }

    /// <summary>Reads a workflow in any form from a stream (not closed); see <see cref="LoadAsync(string, NodeSchema, WorkflowLoadOptions?, CancellationToken)"/>.</summary>
    /// <param name="stream">The content.</param>
    /// <param name="schema">The node schema of the server that will run it.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="WorkflowConversionException">A UI workflow cannot be converted.</exception>
    /// <exception cref="FormatException">The content is none of these forms.</exception>
    public static Task<Workflow> LoadAsync(Stream stream, NodeSchema schema, WorkflowLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        return LoadStreamAsync(stream, _ => Task.FromResult(schema), options ?? new WorkflowLoadOptions(), cancellationToken);
    }

    /// <summary>Converts a UI (editor) workflow to an API prompt with the server's node schema (see <see cref="UiWorkflowConverter"/>).</summary>
    /// <param name="json">The UI workflow JSON.</param>
    /// <param name="schema">The node schema.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <returns>The prompt; its <see cref="ConversionDiagnostics"/> hold the warnings.</returns>
    /// <exception cref="WorkflowConversionException">The workflow cannot be converted; its diagnostics name the nodes.</exception>
    /// <exception cref="FormatException">The text is not a UI workflow.</exception>
    public static Workflow FromUiWorkflow(string json, NodeSchema schema, WorkflowConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(schema);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, nodeOptions: null, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The workflow is not valid JSON: {ex.Message}", ex);
        }

        return root is JsonObject ui && ui["nodes"] is JsonArray
            ? UiWorkflowConverter.ConvertOrThrow(ui, schema, options)
            : throw new FormatException($"A UI workflow is a JSON object with a \"nodes\" array (the format the editor saves), but this JSON is {Describe(root)}{(root is JsonObject ? " without one" : "")}.");
    }

    private static async Task<Workflow> LoadFileAsync(string path, Func<CancellationToken, Task<NodeSchema>>? schema, WorkflowLoadOptions options, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await LoadStreamAsync(stream, schema, options, cancellationToken).ConfigureAwait(false);
            }
            catch (WorkflowConversionException ex)
            {
                throw new WorkflowConversionException($"{path}: {ex.Message}", ex.Diagnostics);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{path}: {ex.Message}", ex);
            }
        }
    }

    private static async Task<Workflow> LoadStreamAsync(Stream stream, Func<CancellationToken, Task<NodeSchema>>? schema, WorkflowLoadOptions options, CancellationToken cancellationToken)
    {
        var header = new byte[12];
        var read = await ImageStreams.ReadAtMostAsync(stream, header, cancellationToken).ConfigureAwait(false);
        var content = new PrefixedStream(header.AsMemory(0, read), stream);
        if (ComfyImageMetadata.DetectFormat(header.AsSpan(0, read)) is not null)
        {
            var metadata = await ComfyImageMetadata.ReadAsync(content, cancellationToken).ConfigureAwait(false);
            return await FromImageAsync(metadata, schema, options, cancellationToken).ConfigureAwait(false);
        }

        using var reader = new StreamReader(content, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16384, leaveOpen: true);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        return await FromTextAsync(text, schema, options, WorkflowSourceFormat.ApiPrompt, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Workflow> FromImageAsync(ComfyImageMetadata metadata, Func<CancellationToken, Task<NodeSchema>>? schema, WorkflowLoadOptions options, CancellationToken cancellationToken)
    {
        if (options.ImagePart == WorkflowImagePart.Workflow && schema is not null && metadata.Workflow is { } ui)
        {
            return await FromTextAsync(ui, schema, options, WorkflowSourceFormat.ImagePrompt, cancellationToken).ConfigureAwait(false);
        }

        if (metadata.Prompt is { } prompt)
        {
            var workflow = Parse(prompt);
            workflow.SourceFormat = WorkflowSourceFormat.ImagePrompt;
            return workflow;
        }

        throw new FormatException(metadata.Workflow is null
            ? $"The {metadata.Format} image has no ComfyUI prompt or workflow in its metadata (ComfyUI's SaveImage and SaveAnimatedWEBP write them; other tools may strip them)."
            : $"The {metadata.Format} image has a ComfyUI workflow but no prompt: load it with the server's node schema or a client to convert the workflow.");
    }

    private static async Task<Workflow> FromTextAsync(string text, Func<CancellationToken, Task<NodeSchema>>? schema, WorkflowLoadOptions options, WorkflowSourceFormat apiFormat, CancellationToken cancellationToken)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, nodeOptions: null, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The workflow is not valid JSON: {ex.Message}", ex);
        }

        if (root is JsonObject ui && ui["nodes"] is JsonArray)
        {
            if (schema is null)
            {
                throw new FormatException(UiWorkflowNeedsSchema);
            }

            var nodeSchema = await schema(cancellationToken).ConfigureAwait(false);
            var workflow = UiWorkflowConverter.ConvertOrThrow(ui, nodeSchema, options.Conversion);
            workflow.SourceFormat = apiFormat == WorkflowSourceFormat.ImagePrompt ? WorkflowSourceFormat.ImageWorkflow : WorkflowSourceFormat.UiWorkflow;
            return workflow;
        }

        var api = FromRoot(root, text);
        api.SourceFormat = apiFormat;
        return api;
    }
}
