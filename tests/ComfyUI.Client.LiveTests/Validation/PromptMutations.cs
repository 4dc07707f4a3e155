using System.Globalization;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.LiveTests.Validation;

/// <summary>One change to a prompt (applied to a copy), and the <c>partial_execution_targets</c> to send with it, if any.</summary>
internal sealed record Mutation(string Name, Action<JsonObject> Apply, bool HasTargets = false, JsonNode? Targets = null);

internal sealed partial class PromptGenerator
{
    /// <summary>
    /// <paramref name="single"/> random single changes of the prompt (from every applicable change at every node and input), then
    /// <paramref name="combined"/> random combinations of two or three.
    /// </summary>
    public IEnumerable<ValidationCase> Mutate(string name, JsonObject prompt, int single, int combined)
    {
        var all = Mutations(prompt).ToList();
        foreach (var mutation in all.OrderBy(_ => _random.Next()).Take(single))
        {
            yield return Apply(name, prompt, [mutation]);
        }

        for (var i = 0; i < combined && all.Count > 1; i++)
        {
            var picked = Enumerable.Range(0, _random.Next(2, 4)).Select(_ => Pick(all)).DistinctBy(m => m.Name).ToList();
            yield return Apply(name, prompt, picked);
        }
    }

    private static ValidationCase Apply(string name, JsonObject prompt, IReadOnlyList<Mutation> mutations)
    {
        var copy = (JsonObject)prompt.DeepClone();
        var targets = mutations.LastOrDefault(m => m.HasTargets);
        foreach (var mutation in mutations)
        {
            try
            {
                mutation.Apply(copy);
            }
            catch (Exception ex) when (ex is NullReferenceException or InvalidCastException or InvalidOperationException)
            {
                // An earlier change of a combination removed what this one changes.
            }
        }

        return new ValidationCase($"{name}/{string.Join("+", mutations.Select(m => m.Name))}", Body(copy, targets?.Targets, targets is not null));
    }

    /// <summary>Every change this generator knows for this prompt.</summary>
    private IEnumerable<Mutation> Mutations(JsonObject prompt)
    {
        var ids = prompt.Select(p => p.Key).ToList();
        var outputs = ids.Where(id => ClassOf(prompt, id) is { IsOutputNode: true }).ToList();
        foreach (var id in ids)
        {
            if (ClassOf(prompt, id) is not { } cls)
            {
                continue;
            }

            foreach (var m in NodeMutations(prompt, id, cls))
            {
                yield return m;
            }

            var inputs = (JsonObject)prompt[id]!["inputs"]!;
            foreach (var input in cls.Inputs)
            {
                var present = inputs.ContainsKey(input.Name);
                if (input.IsRequired && present)
                {
                    yield return Set(id, input.Name, "drop", null, remove: true);
                }

                if (!present && !input.IsRequired && DefaultValue(input) is { } optional)
                {
                    yield return Set(id, input.Name, "add_optional", optional);
                }

                if (present && inputs[input.Name] is JsonArray)
                {
                    foreach (var m in LinkMutations(prompt, id, input.Name))
                    {
                        yield return m;
                    }
                }
                else if (present)
                {
                    foreach (var m in ValueMutations(id, input))
                    {
                        yield return m;
                    }
                }
            }

            yield return Set(id, "not_an_input", "extra_input", 1);
        }

        foreach (var m in PromptMutationsOf(prompt, outputs))
        {
            yield return m;
        }
    }

    private static Mutation Set(string id, string input, string what, JsonNode? value, bool remove = false) =>
        new($"{id}.{input}:{what}", p =>
        {
            var inputs = (JsonObject)p[id]!["inputs"]!;
            if (remove)
            {
                inputs.Remove(input);
            }
            else
            {
                inputs[input] = value?.DeepClone();
            }
        });

    private static IEnumerable<Mutation> ValueMutations(string id, NodeInputSchema input)
    {
        var name = input.Name;
        var min = input.Spec.Min;
        var max = input.Spec.Max;
        switch (input.Type)
        {
            case "INT":
                if (min is { } lo)
                {
                    yield return Set(id, name, "below_min", JsonNode.Parse((lo - 1).ToString(CultureInfo.InvariantCulture)));
                    yield return Set(id, name, "min_as_string", (lo).ToString(CultureInfo.InvariantCulture));
                }

                if (max is { } hi)
                {
                    yield return Set(id, name, "above_max", JsonNode.Parse((hi + 1).ToString(CultureInfo.InvariantCulture)));
                    yield return Set(id, name, "max", JsonNode.Parse(hi.ToString(CultureInfo.InvariantCulture)));
                }

                foreach (var (what, value) in IntValues())
                {
                    yield return Set(id, name, what, value);
                }

                break;
            case "FLOAT":
                if (min is { } flo)
                {
                    yield return Set(id, name, "below_min", JsonNode.Parse((flo - 0.5m).ToString("0.0###", CultureInfo.InvariantCulture)));
                }

                if (max is { } fhi)
                {
                    yield return Set(id, name, "above_max", JsonNode.Parse((fhi + 1).ToString("0.0###", CultureInfo.InvariantCulture)));
                    yield return Set(id, name, "max_as_int", JsonNode.Parse(decimal.Truncate(fhi).ToString(CultureInfo.InvariantCulture)));
                }

                foreach (var (what, value) in FloatValues())
                {
                    yield return Set(id, name, what, value);
                }

                break;
            case "STRING":
                foreach (var (what, value) in StringValues())
                {
                    yield return Set(id, name, what, value);
                }

                break;
            case "BOOLEAN":
                foreach (var (what, value) in BooleanValues())
                {
                    yield return Set(id, name, what, value);
                }

                break;
            default:
                if (input.Choices.Count > 0 || input.Type == "COMBO" || input.Spec.Raw[0].ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    foreach (var (what, value) in ComboValues(input))
                    {
                        yield return Set(id, name, what, value);
                    }
                }
                else
                {
                    yield return Set(id, name, "constant_for_other_type", "x");
                }

                break;
        }
    }

    private static IEnumerable<(string, JsonNode?)> IntValues() =>
    [
        ("exponent_float", JsonNode.Parse("5e0")), ("float_string_int", "7.0"), ("plus_string", "+8"), ("huge_string", new string('9', 30)),
        ("abc", "abc"), ("float_string", "20.7"), ("float", 20.7), ("spaces", " 42 "), ("underscores", "4_2"), ("bool", true),
        ("null", null), ("wrapped", new JsonObject { ["__value__"] = 7 }), ("dict", new JsonObject { ["a"] = 1 }), ("big_float", 1e20),
        ("nan", Raw("NaN")), ("inf", Raw("Infinity")), ("seed_max", JsonNode.Parse("18446744073709551615")), ("2_64", JsonNode.Parse("18446744073709551616")),
        ("negative_big", JsonNode.Parse("-9223372036854775809")), ("empty", ""), ("arabic_digits", "\u0661\u0662"), ("exponent_string", "1e3"),
        ("negative_zero_float", Raw("-0.0")), ("wrapped_list", new JsonObject { ["__value__"] = new JsonArray(1, 2) }),
    ];

    private static IEnumerable<(string, JsonNode?)> FloatValues() =>
    [
        ("string", "0.5"), ("nan_string", "nan"), ("inf_string", "-inf"), ("exp_string", "1e-5"), ("abc", "abc"), ("null", null), ("bool", false),
        ("overflow", Raw("1e400")), ("nan", Raw("NaN")), ("huge_int", JsonNode.Parse("1" + new string('0', 400))), ("int", 3),
        ("tiny", Raw("1e-05")), ("big", Raw("1E+16")), ("wrapped", new JsonObject { ["__value__"] = 0.25 }), ("underscore", "1_0.5"),
    ];

    private static IEnumerable<(string, JsonNode?)> StringValues() =>
    [
        ("int", 5), ("float", 1.0), ("null", null), ("bool", true), ("dict", new JsonObject { ["x"] = 1 }), ("wrapped_list", new JsonObject { ["__value__"] = new JsonArray("a", 1) }),
        ("unicode", "caf\u00e9 \u2603 \u0001 'q' \"d\""), ("empty", ""),
    ];

    private static IEnumerable<(string, JsonNode?)> BooleanValues() =>
    [
        ("string_false", "false"), ("zero", 0), ("null", null), ("empty", ""), ("float", 0.0), ("dict", new JsonObject()),
    ];

    private static IEnumerable<(string, JsonNode?)> ComboValues(NodeInputSchema input)
    {
        yield return ("float", 1.5);
        yield return ("list_of_choices", new JsonObject { ["__value__"] = new JsonArray(input.Choices.Take(25).Select(c => (JsonNode?)c).ToArray()) });
        yield return ("dict", new JsonObject { ["a"] = 1 });
        if (input.Choices.Count > 1)
        {
            yield return ("second_choice", input.Choices[1]);
            yield return ("trailing_space", input.Choices[0] + " ");
        }

        yield return ("not_in_list", "not_an_option.safetensors");
        yield return ("int", 0);
        yield return ("null", null);
        yield return ("quote", "it's \"x\"");
        yield return ("unicode", "\u00e9\u4e2d\ud83d\ude00\u200b");
        yield return ("bool", true);
        if (input.Choices.Count > 0)
        {
            yield return ("wrapped", new JsonObject { ["__value__"] = input.Choices[0] });
            yield return ("wrapped_list", new JsonObject { ["__value__"] = new JsonArray(input.Choices[0]) });
            yield return ("upper", input.Choices[0].ToUpperInvariant() + "_");
        }
    }

    private IEnumerable<Mutation> LinkMutations(JsonObject prompt, string id, string name)
    {
        var link = (JsonArray)prompt[id]!["inputs"]![name]!;
        var source = link.Count > 0 ? link[0]?.ToString() : null;
        yield return Set(id, name, "missing_node", new JsonArray("999", 0));
        yield return Set(id, name, "missing_node_int_id", new JsonArray(999, 0));
        yield return Set(id, name, "slot_out_of_range", new JsonArray(source, 99));
        yield return Set(id, name, "slot_negative", new JsonArray(source, -1));
        yield return Set(id, name, "slot_string", new JsonArray(source, "0"));
        yield return Set(id, name, "slot_float", new JsonArray(source, 0.0));
        yield return Set(id, name, "slot_bool", new JsonArray(source, true));
        yield return Set(id, name, "slot_null", new JsonArray(source, null));
        yield return Set(id, name, "length_3", new JsonArray(source, 0, 0));
        yield return Set(id, name, "length_1", new JsonArray(source));
        yield return Set(id, name, "empty_list", new JsonArray());
        yield return Set(id, name, "self_link", new JsonArray(id, 0));
        yield return Set(id, name, "unhashable_id", new JsonArray(new JsonArray("1"), 0));

        // Wrong type: a link from another node's output of another type.
        var others = prompt.Where(p => p.Key != id && p.Key != source && ClassOf(prompt, p.Key) is { Outputs.Count: > 0 }).Select(p => p.Key).ToList();
        if (others.Count > 0)
        {
            var other = Pick(others);
            yield return Set(id, name, $"from_{other}", new JsonArray(other, 0));
        }

        // A cycle: the source node takes this node's output in one of its own links.
        if (source is not null && prompt[source]?["inputs"] is JsonObject sourceInputs && sourceInputs.FirstOrDefault(p => p.Value is JsonArray).Key is { } back)
        {
            yield return new Mutation($"{source}.{back}:cycle_via_{id}", p => p[source]!["inputs"]![back] = new JsonArray(id, 0));
        }
    }

    private IEnumerable<Mutation> NodeMutations(JsonObject prompt, string id, NodeClassSchema cls)
    {
        yield return new Mutation($"{id}:removed", p => p.Remove(id));
        yield return new Mutation($"{id}:empty_inputs", p => p[id]!["inputs"] = new JsonObject());
        yield return new Mutation($"{id}:duplicated", p => p[NextId(p)] = p[id]!.DeepClone());
        yield return new Mutation($"{id}:unknown_class_unicode_title", p => { p[id]!["class_type"] = "Nœud \"x\""; p[id]!["_meta"] = new JsonObject { ["title"] = "Tïtle \u2603 'q'" }; });
        var similar = _schema.Classes.Where(c => c.ClassType != cls.ClassType && c.Inputs.Count > 0 && c.Inputs.Any(i => cls.FindInput(i.Name) is not null)).Select(c => c.ClassType).Take(50).ToList();
        if (similar.Count > 0)
        {
            var other = Pick(similar);
            yield return new Mutation($"{id}:class_{other}", p => p[id]!["class_type"] = other);
        }

        var links = ((JsonObject)prompt[id]!["inputs"]!).Where(p => p.Value is JsonArray { Count: 2 }).Select(p => p.Key).ToList();
        if (links.Count >= 2)
        {
            var (x, y) = (links[0], links[1]);
            yield return new Mutation($"{id}:swap_{x}_{y}", p =>
            {
                var inputs = (JsonObject)p[id]!["inputs"]!;
                var first = inputs[x]!.DeepClone();
                inputs[x] = inputs[y]!.DeepClone();
                inputs[y] = first;
            });
        }

        yield return new Mutation($"{id}:unknown_class", p => p[id]!["class_type"] = "NoSuchNode_" + id);
        yield return new Mutation($"{id}:unknown_class_no_meta", p => { p[id]!["class_type"] = "NoSuchNode"; ((JsonObject)p[id]!).Remove("_meta"); });
        yield return new Mutation($"{id}:unknown_class_null_title", p => { p[id]!["class_type"] = "NoSuchNode"; p[id]!["_meta"] = new JsonObject { ["title"] = null }; });
        yield return new Mutation($"{id}:no_class_type", p => ((JsonObject)p[id]!).Remove("class_type"));
        yield return new Mutation($"{id}:no_class_type_empty_title", p => { ((JsonObject)p[id]!).Remove("class_type"); p[id]!["_meta"] = new JsonObject { ["title"] = "" }; });
        yield return new Mutation($"{id}:no_inputs", p => ((JsonObject)p[id]!).Remove("inputs"));
        yield return new Mutation($"{id}:class_type_int", p => p[id]!["class_type"] = 5);
        yield return new Mutation($"{id}:inputs_list", p => p[id]!["inputs"] = new JsonArray());
        yield return new Mutation($"{id}:node_is_string", p => p[id] = "node");
        yield return new Mutation($"{id}:meta_not_object", p => { p[id]!["class_type"] = "NoSuchNode"; p[id]!["_meta"] = "x"; });
        if (cls.IsOutputNode)
        {
            yield return new Mutation($"{id}:as_preview_any", p => p[id] = Node("PreviewAny", new JsonObject { ["source"] = p[id]!["inputs"]!.AsObject().Select(x => x.Value).OfType<JsonArray>().FirstOrDefault()?.DeepClone() ?? "x" }));
        }
    }

    private IEnumerable<Mutation> PromptMutationsOf(JsonObject prompt, List<string> outputs)
    {
        yield return new Mutation("no_outputs", p =>
        {
            foreach (var output in outputs)
            {
                p.Remove(output);
            }
        });
        yield return new Mutation("empty_prompt", p => p.Clear());
        yield return new Mutation("failing_extra_output", p => p[NextId(p)] = Node("SaveImage", new JsonObject { ["filename_prefix"] = "x" }));
        yield return new Mutation("failing_extra_output_linked", p => p[NextId(p)] = Node("PreviewImage", new JsonObject { ["images"] = new JsonArray("999", 0) }));
        yield return new Mutation("two_failing_outputs_sharing_a_node", p =>
        {
            var a = NextId(p);
            p[a] = Node("EmptyImage", new JsonObject { ["width"] = -1, ["height"] = 64, ["batch_size"] = 1, ["color"] = 0 });
            var b = NextId(p);
            p[b] = Node("SaveImage", new JsonObject { ["images"] = Link(a, 0), ["filename_prefix"] = "x" });
            var c = NextId(p);
            p[c] = Node("PreviewImage", new JsonObject { ["images"] = Link(a, 0) });
        });
        yield return new Mutation("old_class_with_replacement", p => p[NextId(p)] = Node("T2IAdapterLoader", new JsonObject { ["t2i_adapter_name"] = "x.safetensors" }));
        yield return new Mutation("old_class_without_meta", p => p[NextId(p)] = new JsonObject { ["inputs"] = new JsonObject(), ["class_type"] = "SDV_img2vid_Conditioning" });
        if (outputs.Count > 0)
        {
            yield return new Mutation("targets_first_output", _ => { }, true, new JsonArray(outputs[0]));
            yield return new Mutation("targets_unknown", _ => { }, true, new JsonArray("nope"));
            yield return new Mutation("targets_empty", _ => { }, true, new JsonArray());
            yield return new Mutation("targets_null", _ => { }, true, null);
            yield return new Mutation("targets_string", _ => { }, true, JsonValue.Create(outputs[0]));
            yield return new Mutation("targets_int", _ => { }, true, JsonValue.Create(5));
        }
    }

    private NodeClassSchema? ClassOf(JsonObject prompt, string id) =>
        prompt[id] is JsonObject node && node["class_type"] is JsonValue v && v.TryGetValue<string>(out var name) ? _schema.Find(name) : null;
}
