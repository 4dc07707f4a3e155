namespace ComfyUI.Client;

/// <summary>
/// A node of a generated node class (<c>comfyui codegen</c> or the ComfyUI.Client source generator): one property per input, set in an
/// object initializer, then added with <see cref="WorkflowBuilder.Add{TOutputs}(TypedNode{TOutputs}, string?, string?)"/>. The inputs
/// are read when the workflow is built, so a node can be changed after it was added.
/// </summary>
public abstract class TypedNode
{
    private readonly string _classType;
    private readonly bool _isOutputNode;

    /// <summary>Creates a node of a class.</summary>
    /// <param name="classType">The ComfyUI class name (<c>class_type</c>).</param>
    /// <param name="isOutputNode">Whether the class is an output node.</param>
    protected TypedNode(string classType, bool isOutputNode)
    {
        ArgumentException.ThrowIfNullOrEmpty(classType);
        _classType = classType;
        _isOutputNode = isOutputNode;
    }

    internal string ComfyClassType => _classType;

    internal bool ComfyIsOutputNode => _isOutputNode;

    /// <summary>Writes the node's inputs into the prompt (generated).</summary>
    /// <param name="writer">The writer for this node's inputs.</param>
    protected abstract void WriteInputs(NodeInputWriter writer);

    internal void ComfyWriteInputs(NodeInputWriter writer) => WriteInputs(writer);

    /// <summary>Returns the node class.</summary>
    /// <returns>The class name.</returns>
    public override string ToString() => _classType;
}

/// <summary>A node of a generated node class whose outputs are handed out as <typeparamref name="TOutputs"/>.</summary>
/// <typeparam name="TOutputs">The generated handle with one property per output.</typeparam>
public abstract class TypedNode<TOutputs> : TypedNode
    where TOutputs : NodeHandle
{
    /// <summary>Creates a node of a class.</summary>
    /// <param name="classType">The ComfyUI class name (<c>class_type</c>).</param>
    /// <param name="isOutputNode">Whether the class is an output node (the roots of a workflow).</param>
    protected TypedNode(string classType, bool isOutputNode)
        : base(classType, isOutputNode)
    {
    }

    /// <summary>Creates the handle of this node once it is in a workflow (generated).</summary>
    /// <param name="node">The node in the workflow.</param>
    /// <returns>The handle.</returns>
    protected abstract TOutputs CreateOutputs(NodeReference node);

    internal TOutputs ComfyCreateOutputs(NodeReference node) => CreateOutputs(node);
}
