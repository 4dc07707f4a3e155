namespace ComfyUI.Client;

/// <summary>
/// Builds a small <see cref="Workflow"/> in code. Nodes get the ids "1", "2", … in the order they are added; each
/// <c>Add</c> hands out the new node so later nodes can link to its outputs.
/// </summary>
/// <example>
/// <code>
/// Workflow workflow = new WorkflowBuilder()
///     .Add("EmptyImage", out var image, n => n.Set("width", 64).Set("height", 64).Set("batch_size", 1).Set("color", 0))
///     .Add("ImageInvert", out var inverted, n => n.SetLink("image", image, 0))
///     .Add("SaveImage", n => n.SetLink("images", inverted).Set("filename_prefix", "sdk/inverted").SetTitle("Save"))
///     .Build();
/// // {"1": {"inputs": {"width": 64, …}, "class_type": "EmptyImage"}, "2": {"inputs": {"image": ["1", 0]}, …}, …}
/// await client.Queue.QueuePromptAsync(workflow.ToRequest(), cancellationToken);
/// </code>
/// </example>
public sealed class WorkflowBuilder
{
    private readonly Workflow _workflow = new();

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
    /// Makes the workflow: a copy, so the builder can go on to make variants. Links to nodes of this builder refer to them by id,
    /// so they hold in the copy.
    /// </summary>
    /// <returns>The workflow.</returns>
    public Workflow Build() => _workflow.Clone();
}
