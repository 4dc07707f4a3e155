using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>
/// One input of a node class as the editor and the server see it: its type, whether the editor shows it as a widget (a value typed on
/// the node) or only as a socket (a link from another node's output), its options and, for V3 dynamic inputs, their templates.
/// Built by <see cref="NodeSchema"/> from an <see cref="InputSpec"/>.
/// </summary>
public sealed class NodeInputSchema
{
    /// <summary>The input name (the key in a prompt node's <c>inputs</c>); dotted for sub-inputs of dynamic inputs (<c>resize_type.width</c>).</summary>
    public string Name { get; init; } = "";

    /// <summary>Whether the input is in the <c>required</c> section (otherwise <c>optional</c>).</summary>
    public bool IsRequired { get; init; }

    /// <summary>The type name: <c>INT</c>, <c>FLOAT</c>, <c>STRING</c>, <c>BOOLEAN</c>, <c>COMBO</c> (both combo forms), a link type such as <c>IMAGE</c>,
    /// a comma-separated union (<c>FLOAT,INT</c>), <c>*</c>, or a V3 dynamic type (<c>COMFY_AUTOGROW_V3</c>, <c>COMFY_DYNAMICCOMBO_V3</c>, <c>COMFY_MATCHTYPE_V3</c>).</summary>
    public string Type { get; init; } = "";

    /// <summary>The kind of the spec (widget kinds, link or other).</summary>
    public InputKind Kind { get; init; }

    /// <summary>
    /// The editor's widget for this input (<c>INT</c>, <c>FLOAT</c>, <c>STRING</c>, <c>BOOLEAN</c>, <c>COMBO</c>, or a custom widget such as <c>COLOR</c>),
    /// from the <c>widgetType</c> option or the type; <see langword="null"/> when the editor has no widget for the type (a socket only).
    /// </summary>
    public string? WidgetType { get; init; }

    /// <summary>
    /// Whether the editor shows a widget for the input, so it takes a place in a UI workflow's <c>widgets_values</c> and is sent as a value
    /// unless a link is connected: a known widget type and not <see cref="ForceInput"/>.
    /// </summary>
    public bool IsWidget => WidgetType is not null && !ForceInput;

    /// <summary>Whether the input can only be fed by a link (no widget): link types and <see cref="ForceInput"/> inputs.</summary>
    public bool IsLinkOnly => !IsWidget;

    /// <summary>Whether a link can be connected: everything but <see cref="Socketless"/> widgets.</summary>
    public bool AcceptsLink => !Socketless;

    /// <summary>Whether a widget type is shown as a socket only (<c>forceInput</c>).</summary>
    public bool ForceInput { get; init; }

    /// <summary>Whether the server passes the link itself rather than its value (<c>rawLink</c>).</summary>
    public bool RawLink { get; init; }

    /// <summary>Whether the input is evaluated lazily (<c>lazy</c>).</summary>
    public bool Lazy { get; init; }

    /// <summary>Whether the widget has no socket, so it cannot be linked (<c>socketless</c>).</summary>
    public bool Socketless { get; init; }

    /// <summary>Whether the editor hides the widget by default (<c>hidden</c>); it is still sent.</summary>
    public bool IsHiddenWidget { get; init; }

    /// <summary>Whether the editor lists the widget under "advanced" (<c>advanced</c>).</summary>
    public bool Advanced { get; init; }

    /// <summary>
    /// Whether the editor adds a "control after generate" widget after this one (fixed / increment / decrement / randomize):
    /// when the spec says so (<c>control_after_generate</c>), and for an <c>INT</c> named <c>seed</c> or <c>noise_seed</c> that does not say otherwise.
    /// Its value is saved in <c>widgets_values</c> but never sent.
    /// </summary>
    public bool ControlAfterGenerate { get; init; }

    /// <summary>The initial mode of the control widget (<c>randomize</c> unless the spec names one, such as <c>fixed</c>); <see langword="null"/> without one.</summary>
    public string? ControlAfterGenerateDefault { get; init; }

    /// <summary>The number of saved-only widget values that follow this input's value in <c>widgets_values</c>: the control widget, and for a combo also its filter list.</summary>
    public int ControlWidgetCount => !ControlAfterGenerate || !IsWidget ? 0 : string.Equals(WidgetType, "COMBO", StringComparison.Ordinal) ? 2 : 1;

    /// <summary>The allowed values of a combo (non-string values as raw JSON text; may contain duplicates).</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Whether a combo takes several values (a list, sent as <c>{"__value__": [...]}</c>).</summary>
    public bool Multiselect { get; init; }

    /// <summary>The upload kind the editor offers for a combo (<c>image</c>, <c>video</c>, <c>audio</c>, <c>file</c>, <c>animated_image</c>, <c>3d</c>), or <see langword="null"/>.</summary>
    public string? Upload { get; init; }

    /// <summary>Whether a text widget is multi-line.</summary>
    public bool Multiline { get; init; }

    /// <summary>Whether the editor expands dynamic prompts (<c>{a|b}</c>) and strips comments from the text before it sends it (<c>dynamicPrompts</c>).</summary>
    public bool DynamicPrompts { get; init; }

    /// <summary>The default value, when declared.</summary>
    public JsonElement? Default { get; init; }

    /// <summary>The minimum, read exactly; <see langword="null"/> when absent.</summary>
    public decimal? Min { get; init; }

    /// <summary>The maximum, read exactly (2^64−1 for seeds); <see langword="null"/> when absent.</summary>
    public decimal? Max { get; init; }

    /// <summary>The step; <see langword="null"/> when absent.</summary>
    public decimal? Step { get; init; }

    /// <summary>The rounding precision of a float; <see langword="null"/> when absent.</summary>
    public decimal? Round { get; init; }

    /// <summary>The tooltip.</summary>
    public string? Tooltip { get; init; }

    /// <summary>The label the editor shows instead of the name (<c>display_name</c>), or <see langword="null"/>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>For <c>COMFY_AUTOGROW_V3</c>: the template of the growing inputs; otherwise <see langword="null"/>.</summary>
    public NodeAutogrowSchema? Autogrow { get; init; }

    /// <summary>For <c>COMFY_DYNAMICCOMBO_V3</c>: the choices and the sub-inputs each one brings (named <c>{Name}.{sub}</c>); otherwise empty.</summary>
    public IReadOnlyList<NodeDynamicComboOption> DynamicOptions { get; init; } = [];

    /// <summary>For <c>COMFY_MATCHTYPE_V3</c>: the template id that ties inputs and outputs to one type; otherwise <see langword="null"/>.</summary>
    public string? MatchTypeTemplateId { get; init; }

    /// <summary>For <c>COMFY_MATCHTYPE_V3</c>: the types allowed (<c>*</c> for any); otherwise empty.</summary>
    public IReadOnlyList<string> MatchTypeAllowedTypes { get; init; } = [];

    /// <summary>The spec as read from <c>/object_info</c>.</summary>
    public InputSpec Spec { get; init; } = new();

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Type}{(IsWidget ? " (widget)" : "")}";
}

/// <summary>The template of a V3 autogrow input (<c>COMFY_AUTOGROW_V3</c>): sockets that grow as links are connected (<c>images.image0</c>, <c>images.image1</c>, …).</summary>
public sealed class NodeAutogrowSchema
{
    /// <summary>The name prefix of the grown inputs (<c>image</c> gives <c>images.image0</c>, …), or <see langword="null"/> when <see cref="Names"/> lists them.</summary>
    public string? Prefix { get; init; }

    /// <summary>The fixed names of the grown inputs, when the template lists them instead of a prefix.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>The minimum number of inputs.</summary>
    public int Min { get; init; }

    /// <summary>The maximum number of inputs, or <see langword="null"/>.</summary>
    public int? Max { get; init; }

    /// <summary>The template inputs (usually one link input, for example <c>image: IMAGE</c>).</summary>
    public IReadOnlyList<NodeInputSchema> Inputs { get; init; } = [];
}

/// <summary>One choice of a V3 dynamic combo (<c>COMFY_DYNAMICCOMBO_V3</c>) and the sub-inputs it brings.</summary>
public sealed class NodeDynamicComboOption
{
    /// <summary>The choice (the combo's value).</summary>
    public string Key { get; init; } = "";

    /// <summary>The sub-inputs, with dotted names (<c>resize_type.width</c>), required then optional.</summary>
    public IReadOnlyList<NodeInputSchema> Inputs { get; init; } = [];
}
