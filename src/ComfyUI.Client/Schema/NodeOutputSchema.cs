namespace ComfyUI.Client;

/// <summary>One output of a node class: a link from it is <c>["node id", Index]</c>.</summary>
public sealed class NodeOutputSchema
{
    /// <summary>The output slot (0-based), the second item of a link.</summary>
    public int Index { get; init; }

    /// <summary>The type (<c>IMAGE</c>, <c>LATENT</c>, <c>*</c>, …).</summary>
    public string Type { get; init; } = "";

    /// <summary>The name (the type when the server sent none).</summary>
    public string Name { get; init; } = "";

    /// <summary>Whether the output is a list (each item runs the nodes after it separately).</summary>
    public bool IsList { get; init; }

    /// <summary>The tooltip, or <see langword="null"/>.</summary>
    public string? Tooltip { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Index}: {Name} ({Type})";
}
