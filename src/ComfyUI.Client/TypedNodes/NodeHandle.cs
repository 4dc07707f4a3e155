namespace ComfyUI.Client;

/// <summary>
/// A typed node added to a <see cref="WorkflowBuilder"/>: what <c>builder.Add(node)</c> returns. The generated subclass of each node
/// class has one property per output (<c>image.Image</c>, <c>loader.Model</c>), to link into inputs of later nodes; pass the handle to
/// <see cref="PromptResult.ImagesOf(NodeHandle)"/> and the like to read what the node produced.
/// </summary>
public abstract class NodeHandle
{
    private readonly NodeReference _node;

    /// <summary>Creates the handle of a node.</summary>
    /// <param name="node">The node, as the builder made it.</param>
    protected NodeHandle(NodeReference node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
    }

    /// <summary>The node id in the workflow.</summary>
    public string Id => _node.Id;

    /// <summary>The node class, for example <c>SaveImage</c>.</summary>
    public string ClassType => _node.ClassType;

    /// <summary>An output slot that carries <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type of the output.</typeparam>
    /// <param name="index">The slot.</param>
    /// <returns>The output.</returns>
    protected Output<T> GetOutput<T>(int index) => new(_node, index);

    /// <summary>An output slot that is a list of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <param name="index">The slot.</param>
    /// <returns>The output.</returns>
    protected ListOutput<T> GetListOutput<T>(int index) => new(_node, index);

    /// <summary>An output slot whose type the inputs decide.</summary>
    /// <param name="index">The slot.</param>
    /// <returns>The output.</returns>
    protected Output GetAnyOutput(int index) => new AnyOutput(_node, index);

    /// <summary>Returns <c>"&lt;id&gt; &lt;class&gt;"</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => _node.ToString();
}
