using System.Globalization;
using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>
/// Reads <see cref="NodeDefinition"/>s tolerantly (odd members become defaults or raw data, never a failed parse), in one pass over each
/// object. The raw elements kept (<see cref="InputSpec.Raw"/>, options, defaults, extension data) point into the document they were read
/// from, which is unpooled and needs no disposal: nothing is cloned per input.
/// </summary>
internal static class NodeDefinitionReader
{
    /// <summary>Reads one node definition from <paramref name="root"/>, which must outlive it.</summary>
    public static NodeDefinition Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new NodeDefinition { ExtensionData = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [""] = root } };
        }

        string? name = null, displayName = null, description = null, pythonModule = null, category = null, essentialsCategory = null;
        bool outputNode = false, deprecated = false, experimental = false, devOnly = false, apiNode = false, isInputList = false;
        JsonElement input = default, inputOrder = default;
        string[] output = [], outputName = [], searchAliases = [];
        bool[] outputIsList = [];
        string?[] outputTooltips = [];
        var extension = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var key = property.Name;
            switch (key)
            {
                case "name": name = AsString(value); break;
                case "display_name": displayName = AsString(value); break;
                case "description": description = AsString(value); break;
                case "python_module": pythonModule = AsString(value); break;
                case "category": category = AsString(value); break;
                case "essentials_category": essentialsCategory = AsString(value); break;
                case "output_node": outputNode = value.ValueKind == JsonValueKind.True; break;
                case "deprecated": deprecated = value.ValueKind == JsonValueKind.True; break;
                case "experimental": experimental = value.ValueKind == JsonValueKind.True; break;
                case "dev_only": devOnly = value.ValueKind == JsonValueKind.True; break;
                case "api_node": apiNode = value.ValueKind == JsonValueKind.True; break;
                case "is_input_list": isInputList = value.ValueKind == JsonValueKind.True; break;
                case "input": input = value; break;
                case "input_order": inputOrder = value; break;
                case "output": output = Texts(value, keepRaw: true); break;
                case "output_name": outputName = Texts(value, keepRaw: true); break;
                case "search_aliases": searchAliases = Texts(value, keepRaw: false); break;
                case "output_is_list": outputIsList = Flags(value); break;
                case "output_tooltips": outputTooltips = Tooltips(value); break;
                default: extension[key] = value; break;
            }
        }

        JsonElement required = default, optional = default, hidden = default;
        if (input.ValueKind == JsonValueKind.Object)
        {
            foreach (var section in input.EnumerateObject())
            {
                if (section.NameEquals("required"u8))
                {
                    required = section.Value;
                }
                else if (section.NameEquals("optional"u8))
                {
                    optional = section.Value;
                }
                else if (section.NameEquals("hidden"u8))
                {
                    hidden = section.Value;
                }
            }
        }

        name ??= "";
        return new NodeDefinition
        {
            Name = name,
            DisplayName = displayName is { Length: > 0 } ? displayName : name,
            Description = description ?? "",
            PythonModule = pythonModule,
            Category = category,
            OutputNode = outputNode,
            Deprecated = deprecated,
            Experimental = experimental,
            DevOnly = devOnly,
            ApiNode = apiNode,
            IsInputList = isInputList,
            RequiredInputs = Inputs(required),
            OptionalInputs = Inputs(optional),
            HiddenInputs = Hidden(hidden),
            InputOrder = Order(inputOrder),
            Output = output,
            OutputIsList = outputIsList,
            OutputName = outputName,
            OutputTooltips = outputTooltips,
            SearchAliases = searchAliases,
            EssentialsCategory = essentialsCategory,
            ExtensionData = extension,
        };
    }

    private static Dictionary<string, InputSpec> Inputs(JsonElement inputs)
    {
        var result = new Dictionary<string, InputSpec>(StringComparer.Ordinal);
        if (inputs.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in inputs.EnumerateObject())
            {
                result[property.Name] = ParseSpec(property.Value);
            }
        }

        return result;
    }

    private static Dictionary<string, string> Hidden(JsonElement hidden)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (hidden.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in hidden.EnumerateObject())
            {
                var value = property.Value;
                result[property.Name] = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!,
                    JsonValueKind.Array when value.GetArrayLength() > 0 && value[0].ValueKind == JsonValueKind.String => value[0].GetString()!,
                    _ => value.GetRawText(),
                };
            }
        }

        return result;
    }

    private static Dictionary<string, IReadOnlyList<string>> Order(JsonElement order)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (order.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in order.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    result[property.Name] = Texts(property.Value, keepRaw: true);
                }
            }
        }

        return result;
    }

    /// <summary>Reads one input spec; anything unexpected becomes <see cref="InputKind.Other"/> with the raw JSON.</summary>
    internal static InputSpec ParseSpec(JsonElement spec)
    {
        if (spec.ValueKind != JsonValueKind.Array)
        {
            return new InputSpec { Kind = InputKind.Other, Type = spec.ValueKind == JsonValueKind.String ? spec.GetString()! : "", Raw = spec };
        }

        // [head] or [head, options, …]
        JsonElement head = default;
        JsonElement? options = null;
        var index = 0;
        foreach (var item in spec.EnumerateArray())
        {
            if (index == 0)
            {
                head = item;
            }
            else if (index == 1 && item.ValueKind == JsonValueKind.Object)
            {
                options = item;
            }
            else
            {
                break;
            }

            index++;
        }

        if (index == 0)
        {
            return new InputSpec { Kind = InputKind.Other, Raw = spec };
        }

        InputKind kind;
        string type;
        string[]? choices = null;
        if (head.ValueKind == JsonValueKind.Array)
        {
            kind = InputKind.Combo;
            type = "COMBO";
            choices = Texts(head, keepRaw: true);
        }
        else if (head.ValueKind == JsonValueKind.String)
        {
            type = head.GetString()!;
            kind = type switch
            {
                "INT" => InputKind.Int,
                "FLOAT" => InputKind.Float,
                "STRING" => InputKind.String,
                "BOOLEAN" => InputKind.Boolean,
                "COMBO" => InputKind.Combo,
                _ => InputKind.Link,
            };
        }
        else
        {
            return new InputSpec { Kind = InputKind.Other, Raw = spec, Options = options };
        }

        JsonElement? defaultValue = null;
        decimal? min = null, max = null, step = null, round = null;
        string? tooltip = null;
        bool multiline = false, multiselect = false, imageUpload = false;
        if (options is { } o)
        {
            foreach (var property in o.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "default": defaultValue = value; break;
                    case "min": min = Number(value); break;
                    case "max": max = Number(value); break;
                    case "step": step = Number(value); break;
                    case "round": round = Number(value); break;
                    case "tooltip": tooltip = AsString(value); break;
                    case "multiline": multiline = value.ValueKind == JsonValueKind.True; break;
                    case "multiselect": multiselect = value.ValueKind == JsonValueKind.True; break;
                    case "image_upload": imageUpload = value.ValueKind == JsonValueKind.True; break;
                    case "options" when kind == InputKind.Combo && choices is null && value.ValueKind == JsonValueKind.Array:
                        choices = Texts(value, keepRaw: true);
                        break;
                }
            }
        }

        return new InputSpec
        {
            Kind = kind,
            Type = type,
            Choices = choices ?? [],
            Default = defaultValue,
            Min = min,
            Max = max,
            Step = step,
            Round = round,
            Tooltip = tooltip,
            Multiline = multiline,
            Multiselect = multiselect,
            ImageUpload = imageUpload,
            Options = options,
            Raw = spec,
        };
    }

    private static decimal? Number(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var exact))
        {
            return exact;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString(),
            _ => null,
        };
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    private static string? AsString(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Text(JsonElement item) => item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();

    /// <summary>The items of an array as text: strings as they are, other values as raw JSON (or skipped unless <paramref name="keepRaw"/>).</summary>
    private static string[] Texts(JsonElement array, bool keepRaw)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var length = array.GetArrayLength();
        if (length == 0)
        {
            return [];
        }

        var result = new List<string>(length);
        foreach (var item in array.EnumerateArray())
        {
            if (keepRaw || item.ValueKind == JsonValueKind.String)
            {
                result.Add(Text(item));
            }
        }

        return result.ToArray();
    }

    private static bool[] Flags(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new bool[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result[i++] = item.ValueKind == JsonValueKind.True;
        }

        return result;
    }

    private static string?[] Tooltips(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new string?[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result[i++] = AsString(item);
        }

        return result;
    }
}
