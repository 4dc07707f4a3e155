namespace ComfyUI.Client;

/// <summary>Something the offline validation could not decide the way the server would (the node was treated as valid there).</summary>
public sealed class PromptValidationNotice
{
    internal PromptValidationNotice(string nodeId, string classType, string message)
    {
        NodeId = nodeId;
        ClassType = classType;
        Message = message;
    }

    /// <summary>The node id.</summary>
    public string NodeId { get; }

    /// <summary>The node's class.</summary>
    public string ClassType { get; }

    /// <summary>What could not be checked, and why.</summary>
    public string Message { get; }

    /// <summary>The notice as one line.</summary>
    /// <returns>For example <c>node 12 (LoadImage): own validation not run: …</c>.</returns>
    public override string ToString() => $"node {NodeId} ({ClassType}): own validation not run: {Message}";
}
