using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>
/// Builds a <see cref="Workflow"/> in code, from typed nodes (classes generated from <c>/object_info</c>), untyped nodes, or both.
/// Nodes get the ids "1", "2", … in the order they are added, unless an id is given.
/// </summary>
/// <remarks>
/// <para>
/// Typed nodes are read when <see cref="Build"/> runs, so they can still be changed after <c>Add</c>. <see cref="Build"/> leaves out the
/// typed nodes that no output node needs (a warning per node in <see cref="Warnings"/> and the logger); untyped nodes are always kept,
/// since the builder does not know whether they are output nodes.
/// </para>
/// <example>
/// <code>
/// var g = new WorkflowBuilder();
/// var image = g.Add(new EmptyImage { Width = 64, Height = 64, BatchSize = 1, Color = 0xFF0000 });
/// var inverted = g.Add(new ImageInvert { Image = image.Image });
/// g.Add("MyCustomBlur", out var blur, n => n.SetLink("image", inverted.Image).Set("radius", 3));   // untyped, from a custom pack
/// var save = g.Add(new SaveImage { Images = blur.Output&lt;Image&gt;(0), FilenamePrefix = "typed" });
/// PromptResult result = await client.RunAsync(g.Build(), cancellationToken: cancellationToken);
/// IReadOnlyList&lt;OutputFile&gt; files = result.ImagesOf(save);
/// </code>
/// </example>
/// </remarks>
public sealed class WorkflowBuilder
{
    private readonly Workflow _workflow = new();
    private readonly List<(string Id, TypedNode Node)> _typed = [];
    private readonly ILogger? _logger;
    private IReadOnlyList<string> _warnings = [];

    /// <summary>Creates an empty builder.</summary>
    public WorkflowBuilder()
    {
    }

    /// <summary>Creates an empty builder that also logs the warnings of <see cref="Build"/>.</summary>
    /// <param name="logger">The logger for build warnings.</param>
    public WorkflowBuilder(ILogger? logger)
    {
        _logger = logger;
    }

    /// <summary>The warnings of the last <see cref="Build"/>: one per typed node left out because no output node needs it.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Adds a node and hands it out, to link later nodes to it.</summary>
    /// <param name="classType">The node class, for example <c>EmptyImage</c>.</param>
    /// <param name="node">The new node.</param>
    /// <param name="configure">Sets the node's inputs (and title), or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Add(string classType, out WorkflowNode node, Action<WorkflowNode>? configure = null)
    {
        node = _workflow.AddNode(classType);
        configure?.Invoke(node);
        return this;
    }

    /// <summary>Adds a node that no later node links to (for example an output node).</summary>
    /// <param name="classType">The node class, for example <c>SaveImage</c>.</param>
    /// <param name="configure">Sets the node's inputs (and title), or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Add(string classType, Action<WorkflowNode>? configure = null) => Add(classType, out _, configure);

    /// <summary>
    /// Adds a typed node (a class generated from <c>/object_info</c>) and hands out its outputs: <c>g.Add(new EmptyImage { … }).Image</c>.
    /// </summary>
    /// <typeparam name="TOutputs">The node class's handle type.</typeparam>
    /// <param name="node">The node. Its inputs are read at <see cref="Build"/>; adding the same instance twice adds two nodes.</param>
    /// <param name="id">The node id; <see langword="null"/> for the next free number.</param>
    /// <param name="title">The title (<c>_meta.title</c>), or <see langword="null"/> for none.</param>
    /// <returns>The handle: the node's id and one property per output.</returns>
    /// <exception cref="ArgumentException">A node with this id exists already.</exception>
    public TOutputs Add<TOutputs>(TypedNode<TOutputs> node, string? id = null, string? title = null)
        where TOutputs : NodeHandle
    {
        ArgumentNullException.ThrowIfNull(node);
        var placeholder = _workflow.AddNode(node.ComfyClassType, id, title);
        _typed.Add((placeholder.Id, node));
        return node.ComfyCreateOutputs(new NodeReference(placeholder.Id, node.ComfyClassType, _workflow));
    }

    /// <summary>
    /// Makes the workflow: a copy, so the builder can go on to make variants. Typed nodes are written now, from their current inputs;
    /// typed nodes that no output node needs are left out (see <see cref="Warnings"/>).
    /// </summary>
    /// <returns>The workflow.</returns>
    /// <exception cref="InvalidOperationException">
    /// A typed node's input has no value or links to another builder's node, an autogrow list has too few or too many items, or there are
    /// typed nodes but nothing that could be an output node.
    /// </exception>
    public Workflow Build()
    {
        var workflow = _workflow.Clone();
        foreach (var (id, node) in _typed)
        {
            node.ComfyWriteInputs(new NodeInputWriter(workflow.Node(id), _workflow));
        }

        _warnings = Prune(workflow);
        if (_logger is not null)
        {
            foreach (var warning in _warnings)
            {
                WorkflowLog.NodeLeftOut(_logger, warning);
            }
        }

        return workflow;
    }

    /// <summary>Removes the typed nodes that no root (a typed output node, or any untyped node) reaches through links.</summary>
    private List<string> Prune(Workflow workflow)
    {
        var warnings = new List<string>();
        if (_typed.Count == 0)
        {
            return warnings;
        }

        var typedIds = new Dictionary<string, TypedNode>(StringComparer.Ordinal);
        foreach (var (id, node) in _typed)
        {
            typedIds[id] = node;
        }

        var pending = new Stack<string>();
        foreach (var node in workflow.Nodes)
        {
            if (!typedIds.TryGetValue(node.Id, out var typed) || typed.ComfyIsOutputNode)
            {
                pending.Push(node.Id);
            }
        }

        if (pending.Count == 0)
        {
            throw new InvalidOperationException(
                $"The workflow has no output node, so the server would run nothing: add one (for example SaveImage or PreviewImage) that uses the results. Nodes: {string.Join(", ", _typed.Select(t => $"'{t.Id}' ({t.Node.ComfyClassType})"))}.");
        }

        var reached = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var id = pending.Pop();
            if (!reached.Add(id) || !workflow.TryGetNode(id, out var node))
            {
                continue;
            }

            foreach (var input in node.InputNames)
            {
                if (node.TryGetLink(input, out var link))
                {
                    pending.Push(link.NodeId);
                }
            }
        }

        foreach (var (id, node) in _typed)
        {
            if (!reached.Contains(id))
            {
                workflow.RemoveNode(id);
                warnings.Add($"Node '{id}' ({node.ComfyClassType}) was left out of the workflow: no output node uses it.");
            }
        }

        return warnings;
    }
}
