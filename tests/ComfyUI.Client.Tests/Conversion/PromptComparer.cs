using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Conversion;

/// <summary>
/// Compares a converted prompt with the one the editor sent, as the acceptance check does: node for node (same ids, same class), input for
/// input; numbers compared as numbers; inputs the node class does not declare ignored on both sides.
/// </summary>
internal static class PromptComparer
{
    public static List<string> Differences(JsonObject expected, JsonObject actual, NodeSchema schema)
    {
        var differences = new List<string>();
        foreach (var id in expected.Select(p => p.Key).Except(actual.Select(p => p.Key)))
        {
            differences.Add($"node {id} ({expected[id]?["class_type"]}) missing");
        }

        foreach (var id in actual.Select(p => p.Key).Except(expected.Select(p => p.Key)))
        {
            differences.Add($"node {id} ({actual[id]?["class_type"]}) extra");
        }

        foreach (var (id, node) in expected)
        {
            if (actual[id] is not JsonObject mine || node is not JsonObject theirs)
            {
                continue;
            }

            var classType = theirs["class_type"]?.GetValue<string>() ?? "";
            if (!string.Equals(classType, mine["class_type"]?.GetValue<string>(), StringComparison.Ordinal))
            {
                differences.Add($"node {id}: class {mine["class_type"]} != {classType}");
                continue;
            }

            var nodeClass = schema.Find(classType);
            var expectedInputs = theirs["inputs"] as JsonObject ?? [];
            var actualInputs = mine["inputs"] as JsonObject ?? [];
            foreach (var name in expectedInputs.Select(p => p.Key).Union(actualInputs.Select(p => p.Key)))
            {
                if (nodeClass is not null && !nodeClass.DeclaresInput(name))
                {
                    continue;
                }

                var had = expectedInputs.TryGetPropertyValue(name, out var want);
                var has = actualInputs.TryGetPropertyValue(name, out var got);
                if (had != has)
                {
                    differences.Add($"node {id} ({classType}).{name}: {(had ? "missing, want " + Show(want) : "extra " + Show(got))}");
                }
                else if (!JsonEquals(want, got))
                {
                    differences.Add($"node {id} ({classType}).{name}: {Show(got)} != {Show(want)}");
                }
            }
        }

        return differences;
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    public static bool JsonEquals(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        var kind = a.GetValueKind();
        if (kind == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.TryParse(a.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                && decimal.TryParse(b.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
                ? x == y
                : a.GetValue<double>() == b.GetValue<double>();
        }

        if (kind != b.GetValueKind())
        {
            return false;
        }

        return kind switch
        {
            JsonValueKind.Object => a.AsObject().Count == b.AsObject().Count && a.AsObject().All(p => b.AsObject().TryGetPropertyValue(p.Key, out var other) && JsonEquals(p.Value, other)),
            JsonValueKind.Array => a.AsArray().Count == b.AsArray().Count && a.AsArray().Zip(b.AsArray()).All(pair => JsonEquals(pair.First, pair.Second)),
            _ => JsonNode.DeepEquals(a, b),
        };
    }
}
