using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>
/// An API-format ComfyUI prompt: node id → <c>{"class_type", "inputs", "_meta"}</c>, the graph that <c>POST /prompt</c> runs.
/// Load one that ComfyUI exported ("Export (API)"), find nodes by id, class or title, change their inputs and queue it.
/// </summary>
/// <remarks>
/// <para>
/// A workflow that was parsed and not changed serializes back to exactly the text it was read from (<see cref="ToJson"/>);
/// after a change it is written again, indented. Not thread-safe: use one instance from one thread at a time, or <see cref="Clone"/>.
/// </para>
/// <example>
/// <code>
/// Workflow workflow = Workflow.Load("workflow_api.json");
/// workflow.Node("3").Set("seed", 18446744073709551615UL).Set("steps", 30);
/// workflow.NodeByTitle("Positive").Set("text", "a cat");
/// var response = await client.Queue.QueuePromptAsync(workflow.ToRequest(), cancellationToken);
/// </code>
/// </example>
/// </remarks>
public sealed partial class Workflow
{
    private const int MaxIdsInMessages = 20;
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    private readonly JsonObject _root;
    private readonly Dictionary<string, WorkflowNode> _nodes = new(StringComparer.Ordinal);
    private string? _originalText;

    /// <summary>Creates an empty workflow; add nodes with <see cref="AddNode"/> or use <see cref="WorkflowBuilder"/>.</summary>
    public Workflow()
    {
        _root = new JsonObject();
    }

    private Workflow(JsonObject root, string? originalText)
    {
        _root = root;
        _originalText = originalText;
        foreach (var property in root)
        {
            _nodes.Add(property.Key, new WorkflowNode(this, property.Key, (JsonObject)property.Value!));
        }
    }

    /// <summary>The number of nodes.</summary>
    public int Count => _root.Count;

    /// <summary>The node ids, in document order.</summary>
    public IEnumerable<string> Ids => _root.Select(property => property.Key);

    /// <summary>The nodes, in document order.</summary>
    public IEnumerable<WorkflowNode> Nodes => _root.Select(property => _nodes[property.Key]);

    /// <summary>Whether the workflow was changed since it was parsed (or was made in code).</summary>
    public bool IsModified => _originalText is null;

    /// <summary>
    /// Reads an API-format prompt from JSON text. A <c>POST /prompt</c> body (<c>{"prompt": {…}, …}</c>) is accepted too: its <c>prompt</c> is read.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="FormatException">
    /// The text is not JSON, is a UI (editor) format workflow, or is not a valid API-format prompt; the message says what is wrong and where.
    /// </exception>
    public static Workflow Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, nodeOptions: null, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The workflow is not valid JSON: {ex.Message}", ex);
        }

        return FromRoot(root, json);
    }

    /// <summary>Reads an API-format prompt from a file (UTF-8).</summary>
    /// <param name="path">The file, for example <c>workflow_api.json</c>.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="FormatException">The file is not a valid API-format prompt; the message names the file and the problem.</exception>
    public static Workflow Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        if (ComfyImageMetadata.IsImage(bytes))
        {
            throw new FormatException($"{path}: this is an image; read the workflow or prompt ComfyUI embedded in it with Workflow.LoadAsync(path, client) or Workflow.LoadAsync(path).");
        }

        return ParseFrom(new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF'), path);
    }

    /// <summary>
    /// Reads an API-format prompt from a file (UTF-8), or the prompt ComfyUI embedded in a PNG or WebP it wrote. A UI (editor) workflow needs
    /// the server's node schema to be converted: use <see cref="LoadAsync(string, NodeSchema, WorkflowLoadOptions?, CancellationToken)"/> or
    /// <see cref="LoadAsync(string, ComfyUIClient, WorkflowLoadOptions?, CancellationToken)"/>. <see cref="SourceFormat"/> says what was found.
    /// </summary>
    /// <param name="path">The file, for example <c>workflow_api.json</c> or <c>ComfyUI_00001_.png</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="FormatException">The file is not a valid API-format prompt or an image with one; the message names the file and the problem.</exception>
    public static Task<Workflow> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return LoadFileAsync(path, schema: null, new WorkflowLoadOptions { ImagePart = WorkflowImagePart.Prompt }, cancellationToken);
    }

    /// <summary>
    /// Reads an API-format prompt from a stream (UTF-8, a byte order mark is allowed), or the prompt embedded in a ComfyUI PNG or WebP.
    /// The stream is not closed.
    /// </summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The workflow.</returns>
    /// <exception cref="FormatException">The content is not a valid API-format prompt or an image with one.</exception>
    public static Task<Workflow> LoadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return LoadStreamAsync(stream, schema: null, new WorkflowLoadOptions { ImagePart = WorkflowImagePart.Prompt }, cancellationToken);
    }

    private static Workflow ParseFrom(string text, string path)
    {
        try
        {
            return Parse(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    private static Workflow FromRoot(JsonNode? root, string? originalText)
    {
        if (root is not JsonObject rootObject)
        {
            throw new FormatException(
                $"An API-format workflow must be a JSON object of nodes (node id → {{\"class_type\", \"inputs\"}}), but the JSON is {Describe(root)}.");
        }

        try
        {
            if (rootObject["nodes"] is JsonArray || rootObject["links"] is JsonArray)
            {
                throw new FormatException(UiWorkflowNeedsSchema);
            }

            // A POST /prompt body (or a captured one): read its "prompt".
            if (rootObject["prompt"] is JsonObject envelope && rootObject["prompt"]!["class_type"] is null)
            {
                var detached = (JsonObject)envelope.DeepClone();
                return FromRoot(detached, originalText: null);
            }

            foreach (var property in rootObject)
            {
                ValidateNode(property.Key, property.Value);
            }
        }
        catch (ArgumentException ex)
        {
            // JsonObject reports duplicate keys lazily with ArgumentException.
            throw new FormatException($"The workflow is not a valid JSON object: {ex.Message}", ex);
        }

        return new Workflow(rootObject, originalText);
    }

    private static void ValidateNode(string id, JsonNode? node)
    {
        if (node is not JsonObject nodeObject)
        {
            throw new FormatException($"Node '{id}' must be a JSON object with \"class_type\" and \"inputs\", but it is {Describe(node)}.");
        }

        var classType = nodeObject["class_type"];
        if (classType is null)
        {
            throw new FormatException($"Node '{id}' has no \"class_type\" (every node of an API-format workflow names its node class, for example \"KSampler\").");
        }

        if (classType.GetValueKind() != JsonValueKind.String || string.IsNullOrEmpty(classType.GetValue<string>()))
        {
            throw new FormatException($"Node '{id}': \"class_type\" must be a non-empty string, but it is {Describe(classType)}.");
        }

        if (nodeObject.TryGetPropertyValue("inputs", out var inputs) && inputs is not JsonObject)
        {
            throw new FormatException($"Node '{id}' ({classType.GetValue<string>()}): \"inputs\" must be a JSON object, but it is {Describe(inputs)}.");
        }

        if (nodeObject.TryGetPropertyValue("_meta", out var meta) && meta is not null && meta is not JsonObject)
        {
            throw new FormatException($"Node '{id}' ({classType.GetValue<string>()}): \"_meta\" must be a JSON object, but it is {Describe(meta)}.");
        }

        // Enumerating makes JsonObject report a duplicate input name now (ArgumentException), not at the first later lookup.
        foreach (var input in nodeObject["inputs"]?.AsObject() ?? [])
        {
            _ = input.Key;
        }
    }

    internal static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => node.GetValueKind().ToString().ToLowerInvariant(),
    };

    /// <summary>Gets the node with this id.</summary>
    /// <param name="id">The node id, for example <c>"3"</c>.</param>
    /// <returns>The node.</returns>
    /// <exception cref="KeyNotFoundException">There is no such node; the message lists the ids present.</exception>
    public WorkflowNode Node(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_nodes.TryGetValue(id, out var node))
        {
            return node;
        }

        throw new KeyNotFoundException($"The workflow has no node with id '{id}'. Node ids: {ListIds(Ids)}.");
    }

    /// <summary>Gets the node with this id, if there is one.</summary>
    /// <param name="id">The node id.</param>
    /// <param name="node">The node, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the node exists.</returns>
    public bool TryGetNode(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WorkflowNode? node)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _nodes.TryGetValue(id, out node);
    }

    /// <summary>Whether a node with this id exists.</summary>
    /// <param name="id">The node id.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    public bool ContainsNode(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _nodes.ContainsKey(id);
    }

    /// <summary>The nodes of one class, in document order.</summary>
    /// <param name="classType">The node class, for example <c>KSampler</c> (exact, case-sensitive).</param>
    /// <returns>The matching nodes (possibly none).</returns>
    public IReadOnlyList<WorkflowNode> NodesOfType(string classType)
    {
        ArgumentNullException.ThrowIfNull(classType);
        return Nodes.Where(node => string.Equals(node.ClassType, classType, StringComparison.Ordinal)).ToList();
    }

    /// <summary>The nodes whose title (<c>_meta.title</c>) is <paramref name="title"/>, in document order.</summary>
    /// <param name="title">The title (exact, case-sensitive).</param>
    /// <returns>The matching nodes (possibly none).</returns>
    public IReadOnlyList<WorkflowNode> NodesByTitle(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        return Nodes.Where(node => string.Equals(node.Title, title, StringComparison.Ordinal)).ToList();
    }

    /// <summary>The one node whose title (<c>_meta.title</c>) is <paramref name="title"/>.</summary>
    /// <param name="title">The title (exact, case-sensitive).</param>
    /// <returns>The node.</returns>
    /// <exception cref="KeyNotFoundException">No node has this title; the message lists the titles present.</exception>
    /// <exception cref="InvalidOperationException">Several nodes have this title; use <see cref="NodesByTitle"/>.</exception>
    public WorkflowNode NodeByTitle(string title)
    {
        var matches = NodesByTitle(title);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException(
                $"The workflow has no node titled '{title}'. Titles: {ListIds(Nodes.Where(n => n.Title is not null).Select(n => n.Title!))}."),
            _ => throw new InvalidOperationException(
                $"{matches.Count} nodes are titled '{title}' (ids {ListIds(matches.Select(n => n.Id))}); use NodesByTitle or Node(id)."),
        };
    }

    /// <summary>Adds a node with no inputs yet.</summary>
    /// <param name="classType">The node class, for example <c>EmptyImage</c>.</param>
    /// <param name="id">The node id; <see langword="null"/> picks the next free number (one more than the largest numeric id).</param>
    /// <param name="title">The title (<c>_meta.title</c>), or <see langword="null"/> for none.</param>
    /// <returns>The new node, to set its inputs.</returns>
    /// <exception cref="ArgumentException">A node with this id exists already.</exception>
    public WorkflowNode AddNode(string classType, string? id = null, string? title = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(classType);
        id ??= NextId();
        if (id.Length == 0)
        {
            throw new ArgumentException("A node id must not be empty.", nameof(id));
        }

        if (_nodes.TryGetValue(id, out var existing))
        {
            throw new ArgumentException($"The workflow already has a node with id '{id}' ({existing.ClassType}).", nameof(id));
        }

        var nodeObject = new JsonObject { ["inputs"] = new JsonObject(), ["class_type"] = classType };
        if (title is not null)
        {
            nodeObject["_meta"] = new JsonObject { ["title"] = title };
        }

        _root[id] = nodeObject;
        var node = new WorkflowNode(this, id, nodeObject);
        _nodes.Add(id, node);
        MarkModified();
        return node;
    }

    /// <summary>
    /// Removes a node. Inputs of other nodes that link to it would be left dangling (the server rejects those):
    /// with <paramref name="removeLinks"/> they are removed too, otherwise they are left and returned so the caller can relink them.
    /// </summary>
    /// <param name="id">The node id.</param>
    /// <param name="removeLinks">Also remove the inputs that link to the node.</param>
    /// <returns>The inputs (node id, input name) that linked to the removed node: removed, or now dangling.</returns>
    /// <exception cref="KeyNotFoundException">There is no such node.</exception>
    public IReadOnlyList<(string NodeId, string InputName)> RemoveNode(string id, bool removeLinks = false)
    {
        var node = Node(id);
        _root.Remove(id);
        _nodes.Remove(id);
        MarkModified();
        var links = LinksTo(node.Id);
        if (removeLinks)
        {
            foreach (var (nodeId, inputName) in links)
            {
                _nodes[nodeId].RemoveInput(inputName);
            }
        }

        return links;
    }

    /// <summary>The inputs of all nodes that link to the node <paramref name="id"/> (whether or not that node exists).</summary>
    /// <param name="id">The source node id.</param>
    /// <returns>The linking inputs as (node id, input name).</returns>
    public IReadOnlyList<(string NodeId, string InputName)> LinksTo(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var result = new List<(string, string)>();
        foreach (var node in Nodes)
        {
            foreach (var name in node.InputNames)
            {
                if (node.TryGetLink(name, out var link) && link.NodeId == id)
                {
                    result.Add((node.Id, name));
                }
            }
        }

        return result;
    }

    /// <summary>Inputs that link to a node that is not in the workflow (the server would reject them).</summary>
    /// <returns>(node id, input name, missing source id) for each dangling link.</returns>
    public IReadOnlyList<(string NodeId, string InputName, string SourceNodeId)> FindDanglingLinks()
    {
        var result = new List<(string, string, string)>();
        foreach (var node in Nodes)
        {
            foreach (var name in node.InputNames)
            {
                if (node.TryGetLink(name, out var link) && !_nodes.ContainsKey(link.NodeId))
                {
                    result.Add((node.Id, name, link.NodeId));
                }
            }
        }

        return result;
    }

    /// <summary>A deep copy: changing one does not change the other.</summary>
    /// <returns>The copy.</returns>
    public Workflow Clone() => new((JsonObject)_root.DeepClone(), _originalText)
    {
        SourceFormat = SourceFormat,
        ConversionDiagnostics = ConversionDiagnostics,
        _uiWorkflow = _uiWorkflow,
    };

    /// <summary>
    /// The workflow as JSON text. Unchanged since it was parsed: exactly the text it was parsed from (same bytes, whitespace and key order).
    /// Otherwise: indented JSON; big integers (seeds up to 2^64−1) are written exactly.
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        if (_originalText is not null)
        {
            return _originalText;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            _root.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Returns <see cref="ToJson"/>.</summary>
    /// <returns>The JSON text.</returns>
    public override string ToString() => ToJson();

    /// <summary>A deep copy of the prompt as a <see cref="JsonObject"/>, for example for <see cref="QueuePromptRequest.Prompt"/>.</summary>
    /// <returns>The copy; changing it does not change the workflow.</returns>
    public JsonObject ToJsonObject() => (JsonObject)_root.DeepClone();

    /// <summary>The prompt itself, not a copy: for serializing it at once (the run tracker's request body).</summary>
    internal JsonObject Root => _root;

    /// <summary>
    /// A request that queues this workflow with the default options (a new prompt id, the client's id).
    /// For other options create a <see cref="QueuePromptRequest"/> with <c>Prompt = workflow.ToJsonObject()</c>.
    /// </summary>
    /// <returns>The request for <see cref="QueueClient.QueuePromptAsync(QueuePromptRequest, CancellationToken)"/>.</returns>
    public QueuePromptRequest ToRequest() => new() { Prompt = ToJsonObject() };

    internal void MarkModified() => _originalText = null;

    private string NextId()
    {
        long max = 0;
        foreach (var id in _nodes.Keys)
        {
            if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > max)
            {
                max = number;
            }
        }

        var next = max + 1;
        while (_nodes.ContainsKey(next.ToString(CultureInfo.InvariantCulture)))
        {
            next++;
        }

        return next.ToString(CultureInfo.InvariantCulture);
    }

    private static string ListIds(IEnumerable<string> ids)
    {
        var list = ids.Take(MaxIdsInMessages + 1).ToList();
        if (list.Count == 0)
        {
            return "(none)";
        }

        var text = string.Join(", ", list.Take(MaxIdsInMessages).Select(id => "'" + id + "'"));
        return list.Count > MaxIdsInMessages ? text + ", …" : text;
    }
}
