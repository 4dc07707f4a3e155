namespace ComfyUI.Client;

/// <summary>Links between untyped nodes and typed nodes (generated node classes).</summary>
public sealed partial class WorkflowNode
{
    /// <summary>
    /// An output of this node, typed, to link into an input of a typed node: <c>Image = custom.Output&lt;Image&gt;(0)</c>.
    /// The type is your word: the workflow does not know the node's schema.
    /// </summary>
    /// <typeparam name="T">The output's type: a marker class of the generated code, or <see cref="long"/>, <see cref="double"/>,
    /// <see cref="string"/>, <see cref="bool"/>.</typeparam>
    /// <param name="index">The output slot (0 for the first output).</param>
    /// <returns>The output.</returns>
    public Output<T> Output<T>(int index = 0) => new(Reference, index);

    /// <summary>An output of this node, to link into an input that takes any type.</summary>
    /// <param name="index">The output slot (0 for the first output).</param>
    /// <returns>The output.</returns>
    public Output Output(int index = 0) => new AnyOutput(Reference, index);

    /// <summary>Links an input to an output of a typed node (or another untyped node) of the same workflow.</summary>
    /// <param name="name">The input name, for example <c>image</c>.</param>
    /// <param name="output">The output, for example <c>image.Image</c>.</param>
    /// <returns>This node.</returns>
    /// <exception cref="ArgumentException">The output belongs to another workflow or builder.</exception>
    public WorkflowNode SetLink(string name, Output output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!ReferenceEquals(output.Node.Owner, _workflow))
        {
            throw new ArgumentException(
                $"Input '{name}' of node '{Id}' ({ClassType}) cannot link to {output}: that node belongs to another workflow or builder.", nameof(output));
        }

        return SetLink(name, output.NodeId, output.Index);
    }

    private NodeReference Reference => new(Id, ClassType, _workflow);
}
