namespace ComfyUI.Client;

/// <summary>
/// An output slot of a node in a workflow being built: the node's id and the slot index, written into a prompt as the link
/// <c>["&lt;node id&gt;", &lt;index&gt;]</c>. Typed nodes hand out <see cref="Output{T}"/>; this base type is what inputs of any type
/// (<c>*</c>, unions, V3 match types) take.
/// </summary>
public abstract class Output
{
    private readonly NodeReference _node;

    private protected Output(NodeReference node, int index)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        _node = node;
        Index = index;
    }

    /// <summary>The id of the node this output belongs to.</summary>
    public string NodeId => _node.Id;

    /// <summary>The node class, for example <c>EmptyImage</c>.</summary>
    public string ClassType => _node.ClassType;

    /// <summary>The output slot (0 for the first output).</summary>
    public int Index { get; }

    internal NodeReference Node => _node;

    /// <summary>
    /// The same output with another type, for when you know better than the schema: an output whose type the inputs decide (a switch,
    /// a V3 match type), or an <c>INT</c> output linked into an input that takes integers above <see cref="long.MaxValue"/>.
    /// </summary>
    /// <typeparam name="T">The type: a marker class of the generated code (<c>Image</c>, <c>Latent</c>, …), or <see cref="long"/>,
    /// <see cref="ulong"/>, <see cref="double"/>, <see cref="string"/>, <see cref="bool"/> for the primitive types.</typeparam>
    /// <returns>The output, typed.</returns>
    public Output<T> As<T>() => new(_node, Index);

    /// <summary>Describes the output: <c>output 0 of node '3' (KSampler)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"output {Index} of node '{NodeId}' ({ClassType})";
}

/// <summary>
/// An output slot that carries values of type <typeparamref name="T"/>: a marker class of the generated code for ComfyUI types
/// (<c>Output&lt;Image&gt;</c>, <c>Output&lt;Latent&gt;</c>), or the C# type of a primitive (<c>Output&lt;long&gt;</c> for <c>INT</c>,
/// <see cref="double"/> for <c>FLOAT</c>, <see cref="string"/> for <c>STRING</c>, <see cref="bool"/> for <c>BOOLEAN</c>). An input
/// that takes <c>Output&lt;Image&gt;</c> does not compile with an <c>Output&lt;Latent&gt;</c>.
/// </summary>
/// <typeparam name="T">The type the output carries.</typeparam>
public class Output<T> : Output
{
    internal Output(NodeReference node, int index)
        : base(node, index)
    {
    }
}

/// <summary>An output that is a list (<c>output_is_list</c>): a node it is linked into runs once per item.</summary>
/// <typeparam name="T">The type of the items.</typeparam>
public sealed class ListOutput<T> : Output<T>
{
    internal ListOutput(NodeReference node, int index)
        : base(node, index)
    {
    }
}

/// <summary>An output whose type the schema does not fix.</summary>
internal sealed class AnyOutput : Output
{
    internal AnyOutput(NodeReference node, int index)
        : base(node, index)
    {
    }
}
