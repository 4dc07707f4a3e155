using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.LiveTests.Validation;

/// <summary>One prompt to send: a name saying what it tests, and the whole <c>POST /prompt</c> body.</summary>
internal sealed record ValidationCase(string Name, string Body);

/// <summary>
/// Builds prompts from a server's schema: a prompt per node class (required widgets at their defaults, links from producer nodes
/// of the right type, a PreviewAny on its first output), hand-made pipelines of model-free and model nodes, then systematic
/// mutations of them (missing inputs, out of range, conversions, combos, broken links, cycles, classes, outputs, lists, seeds…).
/// Deterministic for a seed.
/// </summary>
internal sealed partial class PromptGenerator
{
    private const string RawMarker = "\u0001RAW:";
    private static readonly Dictionary<string, (string Class, int Slot)> PreferredProducers = new(StringComparer.Ordinal)
    {
        ["IMAGE"] = ("EmptyImage", 0),
        ["MASK"] = ("SolidMask", 0),
        ["LATENT"] = ("EmptyLatentImage", 0),
        ["INT"] = ("PrimitiveInt", 0),
        ["FLOAT"] = ("PrimitiveFloat", 0),
        ["STRING"] = ("PrimitiveString", 0),
        ["BOOLEAN"] = ("PrimitiveBoolean", 0),
        ["MODEL"] = ("CheckpointLoaderSimple", 0),
        ["CLIP"] = ("CheckpointLoaderSimple", 1),
        ["VAE"] = ("CheckpointLoaderSimple", 2),
        ["CONDITIONING"] = ("CLIPTextEncode", 0),
        ["*"] = ("EmptyImage", 0),
        ["COMFY_MATCHTYPE_V3"] = ("EmptyImage", 0),
    };

    private readonly NodeSchema _schema;
    private readonly Random _random;
    private readonly Dictionary<string, (string Class, int Slot)?> _producers = new(StringComparer.Ordinal);

    public PromptGenerator(NodeSchema schema, int seed)
    {
        _schema = schema;
        _random = new Random(seed);
    }

    /// <summary>A JSON token written as is (NaN, Infinity), which <see cref="JsonNode"/> cannot hold.</summary>
    public static JsonNode Raw(string token) => JsonValue.Create(RawMarker + token);

    /// <summary>The POST body text of a prompt, with raw tokens put in.</summary>
    public static string Body(JsonNode prompt, JsonNode? partialTargets = null, bool hasPartialTargets = false)
    {
        var body = new JsonObject { ["prompt"] = prompt.DeepClone() };
        if (hasPartialTargets)
        {
            body["partial_execution_targets"] = partialTargets?.DeepClone();
        }

        var text = body.ToJsonString();
        foreach (var token in new[] { "NaN", "Infinity", "-Infinity", "1e400", "-0.0", "1E+16", "1e-05" })
        {
            text = text.Replace($"\"\\u0001RAW:{token}\"", token, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The prompt of one class: its node with required inputs filled, producers for its links, a PreviewAny on its output.</summary>
    public JsonObject ClassPrompt(string classType)
    {
        var prompt = new JsonObject();
        var id = AddNode(prompt, classType, depth: 0);
        var cls = _schema.Find(classType)!;
        if (!cls.IsOutputNode && cls.Outputs.Count > 0)
        {
            prompt[NextId(prompt)] = Node("PreviewAny", new JsonObject { ["source"] = Link(id, 0) });
        }

        return prompt;
    }

    private string AddNode(JsonObject prompt, string classType, int depth)
    {
        var id = NextId(prompt);
        var inputs = new JsonObject();
        prompt[id] = Node(classType, inputs);
        var cls = _schema.Find(classType)!;
        foreach (var input in cls.Inputs.Where(i => i.IsRequired))
        {
            FillInput(prompt, inputs, input, input.Name, depth);
        }

        return id;
    }

    private void FillInput(JsonObject prompt, JsonObject inputs, NodeInputSchema input, string name, int depth)
    {
        if (input.Autogrow is { } autogrow)
        {
            var template = autogrow.Inputs.Count > 0 ? autogrow.Inputs[0] : null;
            var names = autogrow.Names.Count > 0 ? autogrow.Names : Enumerable.Range(0, autogrow.Max ?? 1).Select(i => autogrow.Prefix + i.ToString(CultureInfo.InvariantCulture)).ToList();
            for (var i = 0; template is not null && i < Math.Max(1, autogrow.Min) && i < names.Count; i++)
            {
                FillInput(prompt, inputs, template, $"{name}.{names[i]}", depth);
            }

            return;
        }

        if (input.DynamicOptions.Count > 0)
        {
            var option = input.DynamicOptions[0];
            inputs[name] = option.Key;
            foreach (var child in option.Inputs)
            {
                var childName = child.Name.Contains('.', StringComparison.Ordinal) ? child.Name : $"{name}.{child.Name}";
                if (child.IsRequired)
                {
                    FillInput(prompt, inputs, child, childName, depth);
                }
            }

            return;
        }

        if (DefaultValue(input) is { } value)
        {
            inputs[name] = value;
            return;
        }

        if (depth < 3 && Producer(input.Type) is { } producer)
        {
            inputs[name] = Link(AddNode(prompt, producer.Class, depth + 1), producer.Slot);
        }
    }

    /// <summary>The value the editor would start with: the default, the first choice, the minimum, or empty.</summary>
    internal static JsonNode? DefaultValue(NodeInputSchema input)
    {
        var raw = input.Spec.Raw;
        var isListCombo = raw.ValueKind == JsonValueKind.Array && raw.GetArrayLength() > 0 && raw[0].ValueKind == JsonValueKind.Array;
        if (isListCombo || input.Type == "COMBO")
        {
            var choices = input.Choices;
            if (input.Default is { ValueKind: JsonValueKind.String } d && choices.Contains(d.GetString()!))
            {
                return d.GetString();
            }

            return choices.Count > 0 ? ChoiceValue(raw, 0) : "missing.safetensors";
        }

        return input.Type switch
        {
            "INT" => input.Default is { ValueKind: JsonValueKind.Number } d ? JsonNode.Parse(d.GetRawText()) : JsonNode.Parse(input.Spec.Min?.ToString(CultureInfo.InvariantCulture) ?? "0"),
            "FLOAT" => input.Default is { ValueKind: JsonValueKind.Number } d ? JsonNode.Parse(d.GetRawText()) : JsonNode.Parse((input.Spec.Min ?? 0m).ToString("0.0###", CultureInfo.InvariantCulture)),
            "STRING" => input.Default is { ValueKind: JsonValueKind.String } d ? d.GetString() : "text",
            "BOOLEAN" => input.Default is { ValueKind: JsonValueKind.True or JsonValueKind.False } d && d.GetBoolean(),
            _ => null,
        };
    }

    private static JsonNode? ChoiceValue(JsonElement raw, int index)
    {
        var list = raw[0].ValueKind == JsonValueKind.Array ? raw[0] : raw[1].GetProperty("options");
        return JsonNode.Parse(list[index].GetRawText());
    }

    private (string Class, int Slot)? Producer(string type)
    {
        if (_producers.TryGetValue(type, out var known))
        {
            return known;
        }

        (string, int)? found = null;
        if (PreferredProducers.TryGetValue(type, out var preferred) && _schema.Contains(preferred.Class))
        {
            found = preferred;
        }
        else
        {
            // The class with the fewest required links that outputs this type.
            foreach (var cls in _schema.Classes.OrderBy(c => c.Inputs.Count(i => i.IsRequired && DefaultValue(i) is null)).ThenBy(c => c.ClassType, StringComparer.Ordinal))
            {
                var slot = cls.Outputs.ToList().FindIndex(o => o.Type == type);
                if (slot >= 0 && !cls.IsApiNode)
                {
                    found = (cls.ClassType, slot);
                    break;
                }
            }
        }

        _producers[type] = found;
        return found;
    }

    internal static JsonObject Node(string classType, JsonObject inputs, string? title = null) => new()
    {
        ["inputs"] = inputs,
        ["class_type"] = classType,
        ["_meta"] = new JsonObject { ["title"] = title ?? classType },
    };

    internal static JsonArray Link(string id, int slot) => [id, slot];

    internal static string NextId(JsonObject prompt)
    {
        var max = prompt.Select(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty(0).Max();
        return (max + 1).ToString(CultureInfo.InvariantCulture);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
