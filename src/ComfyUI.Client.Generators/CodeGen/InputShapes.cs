using System.Text.Json;

namespace ComfyUI.Client.Generators.CodeGen;

/// <summary>How an input is set in a prompt, which decides its C# shape.</summary>
internal enum InputShape
{
    /// <summary>INT: a literal integer or a link from an INT output.</summary>
    Int,

    /// <summary>FLOAT.</summary>
    Float,

    /// <summary>STRING.</summary>
    String,

    /// <summary>BOOLEAN.</summary>
    Boolean,

    /// <summary>A choice from a list (legacy list head or <c>COMBO</c>).</summary>
    Combo,

    /// <summary>A socket of one named type (<c>IMAGE</c>, <c>MODEL</c>, …).</summary>
    Link,

    /// <summary>A socket of one named type that is also a widget with a JSON value (<c>COLOR</c>, <c>BOUNDING_BOX</c>, …).</summary>
    LinkOrJson,

    /// <summary>A socket that takes any output: <c>*</c>, a union <c>A,B</c>, a V3 match type.</summary>
    Any,

    /// <summary>V3 <c>COMFY_AUTOGROW_V3</c>: a growing list of sockets.</summary>
    Autogrow,

    /// <summary>V3 <c>COMFY_DYNAMICCOMBO_V3</c>: a choice whose options bring their own inputs.</summary>
    DynamicCombo,
}

/// <summary>The C# shape of a <see cref="NodeInputSchema"/>, and what the generated code needs from it.</summary>
internal static class InputShapes
{
    public static InputShape Of(NodeInputSchema input)
    {
        if (input.Autogrow is not null)
        {
            return InputShape.Autogrow;
        }

        if (input.DynamicOptions.Count > 0 || input.Type == "COMFY_DYNAMICCOMBO_V3")
        {
            return InputShape.DynamicCombo;
        }

        switch (input.Kind)
        {
            case InputKind.Int: return InputShape.Int;
            case InputKind.Float: return InputShape.Float;
            case InputKind.String: return InputShape.String;
            case InputKind.Boolean: return InputShape.Boolean;
            case InputKind.Combo: return InputShape.Combo;
        }

        var type = input.Type;
        if (type.IndexOf(',') >= 0)
        {
            // A union: a widget of its widgetType when it has one (FLOAT,INT drawn as a FLOAT widget), else a socket of any type.
            return input.WidgetType switch
            {
                "INT" => InputShape.Int,
                "FLOAT" => InputShape.Float,
                "STRING" => InputShape.String,
                "BOOLEAN" => InputShape.Boolean,
                _ => InputShape.Any,
            };
        }

        if (input.Kind != InputKind.Link || type.Length == 0 || type == "*" || IsV3Dynamic(type))
        {
            return InputShape.Any;
        }

        return input.Default is { ValueKind: not JsonValueKind.Null } || input.Socketless ? InputShape.LinkOrJson : InputShape.Link;
    }

    /// <summary>Whether an INT input needs <see cref="ulong"/>: its maximum is above <see cref="long.MaxValue"/> (seeds up to 2^64−1).</summary>
    public static bool IsUnsigned(NodeInputSchema input) => input.Max is { } max && max > long.MaxValue;

    /// <summary>The default as JSON, or <see langword="null"/> when the schema gives none.</summary>
    public static JsonElement? DefaultOf(NodeInputSchema input) => input.Default is { ValueKind: not JsonValueKind.Null } value ? value : null;

    /// <summary>The autogrow template: the input each slot repeats.</summary>
    public static NodeInputSchema? TemplateOf(NodeInputSchema input) => input.Autogrow is { Inputs.Count: > 0 } autogrow ? autogrow.Inputs[0] : null;

    /// <summary>The fewest items of an autogrow input (none when its template is optional, as the server reads it).</summary>
    public static int MinItems(NodeInputSchema input) => TemplateOf(input) is { IsRequired: true } ? input.Autogrow!.Min : 0;

    /// <summary>The most items of an autogrow input: the number of names, or its max (10, the server's default, when absent).</summary>
    public static int MaxItems(NodeInputSchema input) =>
        input.Autogrow is not { } autogrow ? 0 : autogrow.Names.Count > 0 ? autogrow.Names.Count : autogrow.Max ?? 10;

    /// <summary>Whether a value must be set: required, no default, and not an autogrow list that may be empty.</summary>
    public static bool MustBeSet(NodeInputSchema input) =>
        input.IsRequired && DefaultOf(input) is null && (Of(input) != InputShape.Autogrow || MinItems(input) > 0);

    /// <summary>
    /// The choices of a combo as JSON values, in the server's order: strings stay strings, numbers stay numbers (the schema's
    /// <see cref="NodeInputSchema.Choices"/> holds text only).
    /// </summary>
    public static List<JsonElement> ChoicesOf(NodeInputSchema input)
    {
        var result = new List<JsonElement>();
        var raw = input.Spec.Raw;
        JsonElement list = default;
        if (raw.ValueKind == JsonValueKind.Array && raw.GetArrayLength() > 0 && raw[0].ValueKind == JsonValueKind.Array)
        {
            list = raw[0];
        }
        else if (input.Spec.Options is { ValueKind: JsonValueKind.Object } options && options.TryGetProperty("options", out var choices))
        {
            list = choices;
        }

        if (list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                result.Add(item);
            }
        }

        return result;
    }

    /// <summary>The text of a dynamic-combo sub-input's name after its parent's (<c>resize_type.width</c> → <c>width</c>).</summary>
    public static string LocalName(NodeInputSchema input)
    {
        var dot = input.Name.LastIndexOf('.');
        return dot < 0 ? input.Name : input.Name.Substring(dot + 1);
    }

    public static bool IsV3Dynamic(string type) => type.StartsWith("COMFY_", StringComparison.Ordinal) && type.EndsWith("_V3", StringComparison.Ordinal);
}
