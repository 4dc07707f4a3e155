using System;
using System.Collections.Generic;
using System.Globalization;
using ComfyUI.Client.Generators.CodeGen.Json;

namespace ComfyUI.Client.Generators.CodeGen.Schema;

/// <summary>
/// Reads the node classes of an <c>/object_info</c> answer into <see cref="NodeModel"/>s. Both producers of the server are read: V1
/// classes (legacy list combos, <c>[type, options]</c> specs) and V3 schema classes (<c>COMBO</c> with <c>options</c>, the dynamic
/// types <c>COMFY_AUTOGROW_V3</c>, <c>COMFY_DYNAMICCOMBO_V3</c>, <c>COMFY_MATCHTYPE_V3</c>). Tolerant like the SDK's reader: a member
/// of an unexpected shape becomes the most permissive C# shape, never a failure.
/// </summary>
internal static class SchemaReader
{
    public const string AutogrowType = "COMFY_AUTOGROW_V3";
    public const string DynamicComboType = "COMFY_DYNAMICCOMBO_V3";
    public const string MatchType = "COMFY_MATCHTYPE_V3";

    /// <summary>Reads every class of the root object, in the server's order.</summary>
    /// <exception cref="FormatException">The root is not a JSON object of node classes.</exception>
    public static List<NodeModel> Read(JsonValue root)
    {
        if (root.Kind != JsonKind.Object)
        {
            throw new FormatException("An /object_info file must be a JSON object of node classes (class name → definition), but this one is " + Describe(root) + ".");
        }

        var result = new List<NodeModel>(root.Members.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = root.Members.Count - 1; i >= 0; i--)
        {
            // A repeated class name: the last one wins, as in a Python dict.
            var member = root.Members[i];
            if (seen.Add(member.Key) && member.Value.Kind == JsonKind.Object)
            {
                result.Add(ReadNode(member.Key, member.Value));
            }
        }

        result.Reverse();
        return result;
    }

    private static NodeModel ReadNode(string name, JsonValue definition)
    {
        var node = new NodeModel
        {
            Name = name,
            DisplayName = definition.StringOf("display_name") is { Length: > 0 } display ? display : name,
            Description = definition.StringOf("description") ?? "",
            PythonModule = definition.StringOf("python_module"),
            Category = definition.StringOf("category"),
            OutputNode = definition.Flag("output_node"),
            Deprecated = definition.Flag("deprecated"),
            Experimental = definition.Flag("experimental"),
            ApiNode = definition.Flag("api_node"),
            DevOnly = definition.Flag("dev_only"),
        };

        var input = definition["input"];
        var order = definition["input_order"];
        if (input is { Kind: JsonKind.Object })
        {
            AddSection(node.Inputs, input["required"], order?["required"], required: true);
            AddSection(node.Inputs, input["optional"], order?["optional"], required: false);
        }

        var outputs = definition["output"]?.Items ?? Array.Empty<JsonValue>();
        var names = definition["output_name"]?.Items ?? Array.Empty<JsonValue>();
        var lists = definition["output_is_list"]?.Items ?? Array.Empty<JsonValue>();
        var tooltips = definition["output_tooltips"]?.Items ?? Array.Empty<JsonValue>();
        for (var i = 0; i < outputs.Count; i++)
        {
            var type = outputs[i].Kind switch
            {
                JsonKind.String => outputs[i].Text,
                JsonKind.Array => "COMBO",
                _ => "*",
            };
            node.Outputs.Add(new OutputModel
            {
                Index = i,
                Type = type,
                Name = i < names.Count && names[i].IsString && names[i].Text.Length > 0 ? names[i].Text : type,
                IsList = i < lists.Count && lists[i].IsTrue,
                Tooltip = i < tooltips.Count && tooltips[i].IsString ? tooltips[i].Text : null,
            });
        }

        return node;
    }

    /// <summary>Adds a section's inputs in <c>input_order</c> when the server sent one (then any it did not list), else in document order.</summary>
    private static void AddSection(List<InputModel> target, JsonValue? section, JsonValue? order, bool required)
    {
        if (section is not { Kind: JsonKind.Object })
        {
            return;
        }

        var added = new HashSet<string>(StringComparer.Ordinal);
        if (order is { Kind: JsonKind.Array })
        {
            foreach (var item in order.Items)
            {
                if (item.IsString && section[item.Text] is { } spec && added.Add(item.Text))
                {
                    target.Add(ReadInput(item.Text, spec, required));
                }
            }
        }

        foreach (var member in section.Members)
        {
            if (added.Add(member.Key))
            {
                target.Add(ReadInput(member.Key, section[member.Key]!, required));
            }
        }
    }

    private static InputModel ReadInput(string name, JsonValue spec, bool required)
    {
        var input = new InputModel { Name = name, Required = required, Shape = InputShape.Any, Type = "*" };
        if (spec.Kind != JsonKind.Array || spec.Items.Count == 0)
        {
            if (spec.IsString)
            {
                input.Type = spec.Text;
                input.Shape = ShapeOf(spec.Text, null);
            }

            return input;
        }

        var head = spec.Items[0];
        var options = spec.Items.Count > 1 && spec.Items[1].Kind == JsonKind.Object ? spec.Items[1] : null;
        if (head.Kind == JsonKind.Array)
        {
            input.Shape = InputShape.Combo;
            input.Type = "COMBO";
            input.Choices.AddRange(head.Items);
        }
        else if (head.IsString)
        {
            input.Type = head.Text;
            input.Shape = ShapeOf(head.Text, options);
        }

        if (options is null)
        {
            return input;
        }

        input.Default = options["default"];
        input.Min = NumberText(options["min"]);
        input.Max = NumberText(options["max"]);
        input.Step = NumberText(options["step"]);
        input.Tooltip = options.StringOf("tooltip");
        input.Multiline = options.Flag("multiline");
        input.Multiselect = options.Flag("multiselect");
        switch (input.Shape)
        {
            case InputShape.Combo when input.Choices.Count == 0 && options["options"] is { Kind: JsonKind.Array } choices:
                input.Choices.AddRange(choices.Items);
                break;
            case InputShape.Autogrow:
                ReadAutogrow(input, options["template"]);
                break;
            case InputShape.DynamicCombo:
                ReadDynamicCombo(input, options["options"]);
                break;
        }

        if (input.Default is { Kind: JsonKind.Null })
        {
            input.Default = null;
        }

        return input;
    }

    private static InputShape ShapeOf(string type, JsonValue? options)
    {
        switch (type)
        {
            case "INT": return InputShape.Int;
            case "FLOAT": return InputShape.Float;
            case "STRING": return InputShape.String;
            case "BOOLEAN": return InputShape.Boolean;
            case "COMBO": return InputShape.Combo;
            case "*":
            case MatchType:
                return InputShape.Any;
            case AutogrowType: return InputShape.Autogrow;
            case DynamicComboType: return InputShape.DynamicCombo;
        }

        if (type.IndexOf(',') >= 0)
        {
            // A union: a widget of its widgetType when it has one (FLOAT,INT shown as a FLOAT widget), else a socket of any type.
            return options?.StringOf("widgetType") switch
            {
                "INT" => InputShape.Int,
                "FLOAT" => InputShape.Float,
                "STRING" => InputShape.String,
                "BOOLEAN" => InputShape.Boolean,
                _ => InputShape.Any,
            };
        }

        if (type.StartsWith("COMFY_", StringComparison.Ordinal) && type.EndsWith("_V3", StringComparison.Ordinal))
        {
            // A V3 dynamic type this generator does not know yet: any output links.
            return InputShape.Any;
        }

        return options is not null && (options["default"] is { Kind: not JsonKind.Null } || options.Flag("socketless")) ? InputShape.LinkOrJson : InputShape.Link;
    }

    private static void ReadAutogrow(InputModel input, JsonValue? template)
    {
        input.MinCount = ToInt(template?["min"], 1);
        var templateInputs = template?["input"];
        foreach (var section in new[] { "required", "optional" })
        {
            if (input.Template is null && templateInputs?[section] is { Kind: JsonKind.Object } inputs && inputs.Members.Count > 0)
            {
                input.Template = ReadInput(inputs.Members[0].Key, inputs.Members[0].Value, section == "required");
            }
        }

        input.Template ??= new InputModel { Name = "value", Required = true, Shape = InputShape.Any, Type = "*" };
        if (template?["names"] is { Kind: JsonKind.Array } names)
        {
            input.SlotNames = new List<string>();
            foreach (var name in names.Items)
            {
                if (name.IsString && input.SlotNames.Count < 100)
                {
                    input.SlotNames.Add(name.Text);
                }
            }

            input.MaxCount = input.SlotNames.Count;
        }
        else
        {
            input.Prefix = template?.StringOf("prefix") ?? input.Template.Name;
            input.MaxCount = ToInt(template?["max"], 10);
        }

        if (!input.Template.Required)
        {
            input.MinCount = 0;
        }
    }

    private static void ReadDynamicCombo(InputModel input, JsonValue? options)
    {
        if (options is not { Kind: JsonKind.Array })
        {
            return;
        }

        foreach (var option in options.Items)
        {
            if (option.StringOf("key") is not { } key)
            {
                continue;
            }

            var model = new DynamicOptionModel { Key = key };
            var inputs = option["inputs"];
            AddSection(model.Inputs, inputs?["required"], null, required: true);
            AddSection(model.Inputs, inputs?["optional"], null, required: false);
            input.Options.Add(model);
            input.Choices.Add(JsonValue.String(key));
        }
    }

    private static int ToInt(JsonValue? value, int fallback) =>
        value is { Kind: JsonKind.Number } && int.TryParse(value.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : fallback;

    private static string? NumberText(JsonValue? value) => value is { Kind: JsonKind.Number } ? value.Text : null;

    private static string Describe(JsonValue value) => value.Kind switch
    {
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.Null => "null",
        _ => "a boolean",
    };
}
