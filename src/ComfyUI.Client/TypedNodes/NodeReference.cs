namespace ComfyUI.Client;

/// <summary>A node of a workflow being built: its id, its class and the builder's workflow it belongs to. Made by <see cref="WorkflowBuilder"/>.</summary>
public sealed class NodeReference
{
    internal NodeReference(string id, string classType, Workflow owner)
    {
        Id = id;
        ClassType = classType;
        Owner = owner;
    }

    /// <summary>The node id.</summary>
    public string Id { get; }

    /// <summary>The node class.</summary>
    public string ClassType { get; }

    internal Workflow Owner { get; }

    /// <summary>Returns <c>"&lt;id&gt; &lt;class&gt;"</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"{Id} {ClassType}";
}
