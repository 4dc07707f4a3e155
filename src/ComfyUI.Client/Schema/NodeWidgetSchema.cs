namespace ComfyUI.Client;

/// <summary>What one entry of a UI workflow node's <c>widgets_values</c> holds.</summary>
public enum NodeWidgetRole
{
    /// <summary>The value of an input (sent in the prompt unless a link feeds the input).</summary>
    Value,

    /// <summary>The "control after generate" mode of the widget before it (fixed, increment, …): saved, never sent.</summary>
    Control,

    /// <summary>The filter list of a combo's control widget: saved, never sent.</summary>
    ControlFilter,

    /// <summary>An editor-only widget the front end adds (an upload button, an audio player): saved, never sent.</summary>
    EditorOnly,
}

/// <summary>
/// One widget of a node as the editor lays them out, in the order a UI workflow's <c>widgets_values</c> lists their values: input widgets
/// in input order, each followed by its control widgets, and the editor-only widgets front-end extensions add after the required inputs.
/// </summary>
public sealed class NodeWidgetSchema
{
    /// <summary>The widget name: the input name for <see cref="NodeWidgetRole.Value"/>; the control or editor widget's own name otherwise.</summary>
    public string Name { get; init; } = "";

    /// <summary>What the value is.</summary>
    public NodeWidgetRole Role { get; init; }

    /// <summary>The input the widget belongs to (its value, or the input it controls); <see langword="null"/> for editor-only widgets.</summary>
    public NodeInputSchema? Input { get; init; }

    /// <summary>Whether the value is sent in the prompt (only <see cref="NodeWidgetRole.Value"/>).</summary>
    public bool IsSent => Role == NodeWidgetRole.Value;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Role})";
}
