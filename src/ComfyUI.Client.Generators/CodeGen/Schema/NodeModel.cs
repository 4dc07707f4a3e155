using System.Collections.Generic;
using ComfyUI.Client.Generators.CodeGen.Json;

namespace ComfyUI.Client.Generators.CodeGen.Schema;

/// <summary>How an input is set in a prompt, which decides its C# shape.</summary>
internal enum InputShape
{
    /// <summary>INT widget: a literal integer or a link from an INT output.</summary>
    Int,

    /// <summary>FLOAT widget.</summary>
    Float,

    /// <summary>STRING widget.</summary>
    String,

    /// <summary>BOOLEAN widget.</summary>
    Boolean,

    /// <summary>A choice from a list (legacy list head or <c>COMBO</c>).</summary>
    Combo,

    /// <summary>A socket of one named type (<c>IMAGE</c>, <c>MODEL</c>, …).</summary>
    Link,

    /// <summary>A socket of one named type that is also a widget with a JSON default (<c>COLOR</c>, <c>BOUNDING_BOX</c>, …).</summary>
    LinkOrJson,

    /// <summary>A socket that takes any output: <c>*</c>, a union <c>A,B</c>, a V3 match type.</summary>
    Any,

    /// <summary>V3 <c>COMFY_AUTOGROW_V3</c>: a growing list of sockets named from a prefix or a list of names.</summary>
    Autogrow,

    /// <summary>V3 <c>COMFY_DYNAMICCOMBO_V3</c>: a choice whose options bring their own inputs.</summary>
    DynamicCombo,
}

/// <summary>One node class of <c>/object_info</c>, as the code generator sees it.</summary>
internal sealed class NodeModel
{
    public string Name { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Description { get; set; } = "";

    public string? PythonModule { get; set; }

    public string? Category { get; set; }

    public bool OutputNode { get; set; }

    public bool Deprecated { get; set; }

    public bool Experimental { get; set; }

    public bool ApiNode { get; set; }

    public bool DevOnly { get; set; }

    /// <summary>The visible inputs (required first, then optional, each in the server's order); hidden inputs are left out.</summary>
    public List<InputModel> Inputs { get; } = new();

    public List<OutputModel> Outputs { get; } = new();
}

/// <summary>One input of a node class (or of a dynamic option, or the template of an autogrow list).</summary>
internal sealed class InputModel
{
    public string Name { get; set; } = "";

    public bool Required { get; set; }

    public InputShape Shape { get; set; }

    /// <summary>The type as sent: <c>INT</c>, <c>COMBO</c>, <c>IMAGE</c>, <c>FLOAT,INT</c>, <c>*</c>, …</summary>
    public string Type { get; set; } = "";

    public JsonValue? Default { get; set; }

    public string? Min { get; set; }

    public string? Max { get; set; }

    public string? Step { get; set; }

    public string? Tooltip { get; set; }

    public bool Multiline { get; set; }

    public bool Multiselect { get; set; }

    /// <summary>The choices of a combo, in the server's order (strings, or numbers kept as JSON text).</summary>
    public List<JsonValue> Choices { get; } = new();

    /// <summary>The autogrow template: the input each slot repeats.</summary>
    public InputModel? Template { get; set; }

    /// <summary>Autogrow slot names when the template lists them (<c>names</c>); otherwise slots are <see cref="Prefix"/> + index.</summary>
    public List<string>? SlotNames { get; set; }

    public string? Prefix { get; set; }

    public int MinCount { get; set; }

    public int MaxCount { get; set; }

    /// <summary>The options of a dynamic combo, each with its own inputs.</summary>
    public List<DynamicOptionModel> Options { get; } = new();

    /// <summary>Whether a value must be set: required, and the schema gives no default.</summary>
    public bool MustBeSet => Required && Default is null && (Shape != InputShape.Autogrow || MinCount > 0);
}

/// <summary>One option of a dynamic combo.</summary>
internal sealed class DynamicOptionModel
{
    public string Key { get; set; } = "";

    public List<InputModel> Inputs { get; } = new();
}

/// <summary>One output slot of a node class.</summary>
internal sealed class OutputModel
{
    public int Index { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The type as sent (<c>IMAGE</c>, <c>*</c>, a V3 match type); a list-valued type (a custom combo output) is <c>COMBO</c>.</summary>
    public string Type { get; set; } = "";

    public bool IsList { get; set; }

    public string? Tooltip { get; set; }
}
