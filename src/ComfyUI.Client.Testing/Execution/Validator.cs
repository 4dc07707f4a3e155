using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Nodes;

namespace ComfyUI.Client.Testing.Execution;

/// <summary>Validates a prompt the way ComfyUI's validate_prompt does, with the same error shapes.</summary>
internal sealed class Validator
{
    private readonly NodeCatalog catalog;
    private readonly FileStore files;

    public Validator(NodeCatalog catalog, FileStore files)
    {
        this.catalog = catalog;
        this.files = files;
    }

    public static readonly IComparer<string> NodeIdComparer = Comparer<string>.Create((a, b) =>
    {
        var na = long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var x);
        var nb = long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y);
        return na && nb ? x.CompareTo(y) : string.CompareOrdinal(a, b);
    });

    public static bool IsLink(JsonNode? value, out string source, out int index)
    {
        source = string.Empty;
        index = 0;
        if (value is JsonArray { Count: 2 } a && Json.GetString(a[0]) is { } s && a[1] is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            source = s;
            index = (int)v.GetValue<double>();
            return true;
        }

        return false;
    }

    public static JsonNode? InputConfig(JsonObject def, string name)
    {
        foreach (var section in new[] { "required", "optional" })
        {
            if (def["input"]?[section] is JsonObject inputs && inputs[name] is JsonArray config)
            {
                return config;
            }
        }

        return null;
    }

    public static string? InputType(JsonObject def, string name) => InputConfig(def, name) is JsonArray c && c.Count > 0 ? (c[0] is JsonArray ? "COMBO" : Json.GetString(c[0])) : null;

    public static double ToDouble(JsonNode? value)
    {
        if (Json.TryGetDouble(value, out var d))
        {
            return d;
        }

        if (value is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.True: return 1;
                case JsonValueKind.False: return 0;
                case JsonValueKind.String when double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p): return p;
            }
        }

        throw new FormatException($"could not convert {Json.PyStr(value)}");
    }

    /// <summary>The error body (shape A) or null when valid. Fills <paramref name="outputs"/> with the output nodes that validated.</summary>
    public JsonObject? Validate(JsonObject prompt, JsonArray? partialTargets, List<string> outputs, out JsonObject nodeErrorsResult)
    {
        nodeErrorsResult = [];
        foreach (var (id, value) in prompt)
        {
            var classType = Json.GetString(value?["class_type"]);
            if (classType is null || !catalog.Contains(classType))
            {
                var title = Json.GetString(value?["_meta"]?["title"]) ?? classType;
                return Error("missing_node_type",
                    classType is null ? $"Node 'ID #{id}' has no class_type. The workflow may be corrupted or a custom node is missing." : $"Node '{title}' not found. The custom node may not be installed.",
                    $"Node ID '#{id}'",
                    new JsonObject { ["node_id"] = id, ["class_type"] = classType, ["node_title"] = title },
                    []);
            }
        }

        var targets = partialTargets?.Select(t => Json.GetString(t)).Where(t => t is not null).ToHashSet(StringComparer.Ordinal);
        var candidates = prompt
            .Where(p => catalog.IsOutputNode(Json.GetString(p.Value!["class_type"])!) && (targets is null || targets.Contains(p.Key)))
            .Select(p => p.Key)
            .OrderByDescending(k => k, NodeIdComparer)
            .ToList();
        if (candidates.Count == 0)
        {
            return Error("prompt_no_outputs", "Prompt has no outputs", string.Empty, [], []);
        }

        var validated = new Dictionary<string, bool>(StringComparer.Ordinal);
        var errorsByNode = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        var dependents = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var errorOrder = new List<string>();
        JsonObject? firstError = null;
        foreach (var output in candidates)
        {
            var ok = ValidateNode(prompt, output, validated, errorsByNode, errorOrder, []);
            if (ok)
            {
                outputs.Add(output);
                continue;
            }

            // Like ComfyUI: every node validated so far with errors of its own gets this failed output.
            foreach (var n in errorOrder)
            {
                if (!dependents.TryGetValue(n, out var list))
                {
                    dependents[n] = list = [];
                }

                list.Add(output);
            }
        }

        var nodeErrors = new JsonObject();
        foreach (var node in errorOrder)
        {
            var errors = errorsByNode[node];
            if (errors.Count == 0)
            {
                continue;
            }

            firstError ??= (JsonObject)errors[0]!;
            nodeErrors[node] = new JsonObject
            {
                ["errors"] = errors.DeepClone(),
                ["dependent_outputs"] = Json.StringArray(dependents.GetValueOrDefault(node) ?? []),
                ["class_type"] = Json.GetString(prompt[node]!["class_type"]),
            };
        }

        nodeErrorsResult = nodeErrors;
        if (outputs.Count == 0)
        {
            // Like ComfyUI: the details list the errors of the failed output nodes themselves.
            var details = string.Join("\n", candidates
                .Where(o => errorsByNode.ContainsKey(o))
                .SelectMany(o => errorsByNode[o])
                .Select(e => $"{Json.GetString(e!["message"])}: {Json.GetString(e["details"])}"));
            return Error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details, [], nodeErrors);
        }

        return null;
    }

    public static JsonObject Error(string type, string message, string details, JsonObject extraInfo, JsonObject nodeErrors) => new()
    {
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message, ["details"] = details, ["extra_info"] = extraInfo },
        ["node_errors"] = nodeErrors,
    };

    private static void AddErrors(string id, JsonNode[] errors, Dictionary<string, JsonArray> errorsByNode, List<string> errorOrder)
    {
        if (!errorsByNode.TryGetValue(id, out var list))
        {
            errorsByNode[id] = list = [];
            errorOrder.Add(id);
        }

        foreach (var e in errors)
        {
            list.Add(e);
        }
    }

    private static JsonObject ValidationException(string type, string details, string line) => NodeError("exception_during_validation", "Exception when validating node", details, new JsonObject
    {
        ["exception_type"] = type,
        ["traceback"] = new JsonArray(
            JsonValue.Create("  File \"/srv/comfyui/execution.py\", line 1184, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n"),
            JsonValue.Create("  File \"/srv/comfyui/execution.py\", line 933, in validate_inputs\n" + line)),
    });

    private static JsonObject NodeError(string type, string message, string details, JsonObject extra) =>
        new() { ["type"] = type, ["message"] = message, ["details"] = details, ["extra_info"] = extra };

    private bool ValidateNode(JsonObject prompt, string id, Dictionary<string, bool> validated, Dictionary<string, JsonArray> errorsByNode, List<string> errorOrder, List<string> stack)
    {
        if (validated.TryGetValue(id, out var known))
        {
            return known;
        }

        stack.Add(id);
        var node = (JsonObject)prompt[id]!;
        var classType = Json.GetString(node["class_type"])!;
        var def = catalog.Raw(classType);
        var inputs = node["inputs"] as JsonObject ?? [];
        var errors = new JsonArray();
        var valid = true;
        var names = new List<(string Name, bool Required)>();
        foreach (var section in new[] { "required", "optional" })
        {
            if (def["input"]?[section] is JsonObject s)
            {
                names.AddRange(s.Select(p => (p.Key, section == "required")));
            }
        }

        foreach (var (name, required) in names)
        {
            if (required && !inputs.ContainsKey(name))
            {
                errors.Add(NodeError("required_input_missing", "Required input is missing", name, new JsonObject { ["input_name"] = name }));
            }
        }

        foreach (var (name, _) in names)
        {
            var config = (JsonArray)InputConfig(def, name)!;
            if (!inputs.TryGetPropertyValue(name, out var value))
            {
                continue;
            }

            if (IsLink(value, out var source, out var index))
            {
                if (!prompt.ContainsKey(source))
                {
                    // ComfyUI raises inside validate_inputs: the exception replaces every other error of the node.
                    errors.Clear();
                    errors.Add(ValidationException("KeyError", $"'{source}'", "    o_class_type = prompt[o_id]['class_type']\n"));
                    break;
                }

                var linkedOutputs = catalog.Raw(Json.GetString(prompt[source]!["class_type"])!)["output"] as JsonArray ?? [];
                if (index < 0 || index >= linkedOutputs.Count)
                {
                    errors.Clear();
                    errors.Add(ValidationException("IndexError", "tuple index out of range", "    received_type = r[val[1]]\n"));
                    break;
                }

                var sourceClass = Json.GetString(prompt[source]!["class_type"])!;
                var outputTypes = catalog.Raw(sourceClass)["output"] as JsonArray ?? [];
                var expected = InputType(def, name);
                var received = index >= 0 && index < outputTypes.Count ? Json.GetString(outputTypes[index]) : null;
                if (received is null || (expected != "*" && received != "*" && received != expected))
                {
                    errors.Add(NodeError("return_type_mismatch", "Return type mismatch between linked nodes", $"{name}, received_type({received}) mismatch input_type({expected})", new JsonObject
                    {
                        ["input_name"] = name,
                        ["input_config"] = config.DeepClone(),
                        ["received_type"] = received,
                        ["linked_node"] = new JsonArray(JsonValue.Create(source), JsonValue.Create(index)),
                    }));
                    continue;
                }

                if (stack.Contains(source))
                {
                    var cycle = stack.Skip(stack.IndexOf(source)).ToList();
                    var details = string.Join(" -> ", cycle.Append(source).Select(n => $"{n} ({Json.GetString(prompt[n]!["class_type"])})"));
                    foreach (var n in cycle)
                    {
                        AddErrors(n, [NodeError("dependency_cycle", "Dependency cycle detected", details, new JsonObject { ["node_id"] = n, ["cycle_nodes"] = Json.StringArray(cycle) })], errorsByNode, errorOrder);
                    }

                    valid = false;
                    continue;
                }

                if (!ValidateNode(prompt, source, validated, errorsByNode, errorOrder, stack))
                {
                    valid = false;
                }

                continue;
            }

            var type = InputType(def, name);
            var options = config.Count > 1 ? config[1] as JsonObject : null;
            if (type is "INT" or "FLOAT")
            {
                double number;
                try
                {
                    number = ToDouble(value);
                    if (type == "INT" && value is JsonValue sv && sv.GetValueKind() == JsonValueKind.String && !long.TryParse(sv.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        throw new FormatException();
                    }
                }
                catch (FormatException)
                {
                    var exceptionMessage = type == "INT" ? $"invalid literal for int() with base 10: '{Json.PyStr(value)}'" : $"could not convert string to float: '{Json.PyStr(value)}'";
                    errors.Add(NodeError("invalid_input_type", $"Failed to convert an input value to a {type} value", $"{name}, {Json.PyStr(value)}, {exceptionMessage}", new JsonObject
                    {
                        ["input_name"] = name,
                        ["input_config"] = config.DeepClone(),
                        ["received_value"] = value?.DeepClone(),
                        ["exception_message"] = exceptionMessage,
                    }));
                    continue;
                }

                if (type == "INT")
                {
                    number = Math.Truncate(number);
                }

                var shown = type == "INT" ? number.ToString("R", CultureInfo.InvariantCulture) : Json.Float(number).ToJsonString();
                if (options?["min"] is { } min && Json.TryGetDouble(min, out var minV) && number < minV)
                {
                    errors.Add(NodeError("value_smaller_than_min", $"Value {shown} smaller than min of {min.ToJsonString()}", name, new JsonObject { ["input_name"] = name, ["input_config"] = config.DeepClone(), ["received_value"] = value?.DeepClone() }));
                }
                else if (options?["max"] is { } max && Json.TryGetDouble(max, out var maxV) && number > maxV)
                {
                    errors.Add(NodeError("value_bigger_than_max", $"Value {shown} bigger than max of {max.ToJsonString()}", name, new JsonObject { ["input_name"] = name, ["input_config"] = config.DeepClone(), ["received_value"] = value?.DeepClone() }));
                }
            }
            else if (type == "COMBO")
            {
                if (classType == "LoadImage" && name == "image")
                {
                    var image = Json.PyStr(value);
                    var path = files.ResolveAnnotated(image, "input");
                    if (path is null || !File.Exists(path))
                    {
                        errors.Add(NodeError("custom_validation_failed", "Custom validation failed for node", $"image - Invalid image file: {image}", new JsonObject { ["input_name"] = "image" }));
                    }

                    continue;
                }

                var list = ((JsonArray)config[0]!).Select(o => Json.PyStr(o)).ToList();
                var received = Json.PyStr(value);
                if (!list.Contains(received))
                {
                    var listText = list.Count > 20 ? $"(list of length {list.Count})" : "[" + string.Join(", ", list.Select(o => $"'{o}'")) + "]";
                    errors.Add(NodeError("value_not_in_list", "Value not in list", $"{name}: '{received}' not in {listText}", new JsonObject
                    {
                        ["input_name"] = name,
                        ["input_config"] = list.Count > 20 ? null : config.DeepClone(),
                        ["received_value"] = value?.DeepClone(),
                    }));
                }
            }
        }

        stack.Remove(id);
        if (errors.Count > 0)
        {
            valid = false;
            AddErrors(id, [.. errors.Select(e => e!.DeepClone())], errorsByNode, errorOrder);
        }

        validated[id] = valid;
        return valid;
    }
}
