using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>
/// The definition of a node class from <c>/object_info</c>: its inputs, outputs and metadata. Reads both producers of the server
/// (V1 legacy classes and V3 schema classes). Keys this SDK does not model are kept in <see cref="ExtensionData"/>.
/// </summary>
public sealed class NodeDefinition
{
    /// <summary>The class name (the <c>class_type</c> of a prompt node).</summary>
    public string Name { get; init; } = "";

    /// <summary>The name shown in the UI; the class name when the server sent none (V3 nodes may send <c>null</c>).</summary>
    public string DisplayName { get; init; } = "";

    /// <summary>The description ("" when none).</summary>
    public string Description { get; init; } = "";

    /// <summary>The Python module: <c>nodes</c>, <c>comfy_extras.…</c>, <c>custom_nodes.&lt;pack&gt;</c>, <c>comfy_api_nodes.…</c>.</summary>
    public string? PythonModule { get; init; }

    /// <summary>The '/'-separated category path.</summary>
    public string? Category { get; init; }

    /// <summary>Whether the node is an output node (a prompt needs at least one).</summary>
    public bool OutputNode { get; init; }

    /// <summary>Whether the node is deprecated.</summary>
    public bool Deprecated { get; init; }

    /// <summary>Whether the node is experimental.</summary>
    public bool Experimental { get; init; }

    /// <summary>Whether the node is for development only.</summary>
    public bool DevOnly { get; init; }

    /// <summary>Whether the node calls a paid API ("partner node").</summary>
    public bool ApiNode { get; init; }

    /// <summary>Whether the node takes its inputs as lists.</summary>
    public bool IsInputList { get; init; }

    /// <summary>The required inputs by name, in the server's order.</summary>
    public IReadOnlyDictionary<string, InputSpec> RequiredInputs { get; init; } = new Dictionary<string, InputSpec>();

    /// <summary>The optional inputs by name.</summary>
    public IReadOnlyDictionary<string, InputSpec> OptionalInputs { get; init; } = new Dictionary<string, InputSpec>();

    /// <summary>The hidden inputs by name → kind (<c>PROMPT</c>, <c>EXTRA_PNGINFO</c>, <c>UNIQUE_ID</c>, …), from V1 strings or V3 one-element arrays.</summary>
    public IReadOnlyDictionary<string, string> HiddenInputs { get; init; } = new Dictionary<string, string>();

    /// <summary>The input order per section (<c>required</c>, <c>optional</c>, <c>hidden</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> InputOrder { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The output types (<c>IMAGE</c>, <c>LATENT</c>, …; a slot that is not a string is kept as raw JSON text).</summary>
    public IReadOnlyList<string> Output { get; init; } = [];

    /// <summary>Per output, whether it is a list.</summary>
    public IReadOnlyList<bool> OutputIsList { get; init; } = [];

    /// <summary>The output names.</summary>
    public IReadOnlyList<string> OutputName { get; init; } = [];

    /// <summary>The output tooltips (entries may be <see langword="null"/>).</summary>
    public IReadOnlyList<string?> OutputTooltips { get; init; } = [];

    /// <summary>Search aliases (empty when none; V3 sends <c>null</c>).</summary>
    public IReadOnlyList<string> SearchAliases { get; init; } = [];

    /// <summary>The "essentials" category, when set.</summary>
    public string? EssentialsCategory { get; init; }

    /// <summary>Every other key the server sent (<c>price_badge</c>, <c>output_matchtypes</c>, custom keys, …). A definition that is not a JSON object is kept whole under the key "".</summary>
    public IReadOnlyDictionary<string, JsonElement> ExtensionData { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Finds an input of any section (required, then optional) by name.</summary>
    /// <param name="name">The input name.</param>
    /// <returns>The input, or <see langword="null"/>.</returns>
    public InputSpec? FindInput(string name) =>
        RequiredInputs.TryGetValue(name, out var spec) || OptionalInputs.TryGetValue(name, out spec) ? spec : null;
}

/// <summary>The kind of an input.</summary>
public enum InputKind
{
    /// <summary>A shape this SDK does not recognise; see <see cref="InputSpec.Raw"/>.</summary>
    Other,

    /// <summary>An integer widget (<c>INT</c>).</summary>
    Int,

    /// <summary>A float widget (<c>FLOAT</c>).</summary>
    Float,

    /// <summary>A text widget (<c>STRING</c>).</summary>
    String,

    /// <summary>A toggle (<c>BOOLEAN</c>).</summary>
    Boolean,

    /// <summary>A choice from a list (legacy <c>[[…], {…}]</c> or <c>["COMBO", {"options": […]}]</c>).</summary>
    Combo,

    /// <summary>A socket linked from another node's output (<c>MODEL</c>, <c>IMAGE</c>, <c>*</c>, V3 dynamic types, …).</summary>
    Link,
}

/// <summary>One input of a node definition: its type and options.</summary>
public sealed class InputSpec
{
    /// <summary>The kind of input.</summary>
    public InputKind Kind { get; init; }

    /// <summary>The type name: <c>INT</c>, <c>FLOAT</c>, <c>STRING</c>, <c>BOOLEAN</c>, <c>COMBO</c> (both combo forms), or a link type.</summary>
    public string Type { get; init; } = "";

    /// <summary>The allowed values of a combo (non-string values as raw JSON text; may contain duplicates).</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>The default value, when declared.</summary>
    public JsonElement? Default { get; init; }

    /// <summary>The minimum, read exactly (may be −(2^64−1)); <see langword="null"/> when absent or not a finite number.</summary>
    public decimal? Min { get; init; }

    /// <summary>The maximum, read exactly (may be 2^64−1, the seed maximum); <see langword="null"/> when absent or not a finite number.</summary>
    public decimal? Max { get; init; }

    /// <summary>The step; <see langword="null"/> when absent.</summary>
    public decimal? Step { get; init; }

    /// <summary>The rounding precision of a float; <see langword="null"/> when absent or <c>false</c>.</summary>
    public decimal? Round { get; init; }

    /// <summary>The tooltip.</summary>
    public string? Tooltip { get; init; }

    /// <summary>Whether a text widget is multi-line.</summary>
    public bool Multiline { get; init; }

    /// <summary>Whether a combo takes several values.</summary>
    public bool Multiselect { get; init; }

    /// <summary>Whether a combo's values are images in the <c>input</c> folder (upload first).</summary>
    public bool ImageUpload { get; init; }

    /// <summary>The options object as sent, or <see langword="null"/> when the spec had none.</summary>
    public JsonElement? Options { get; init; }

    /// <summary>The whole spec as sent.</summary>
    public JsonElement Raw { get; init; }
}
