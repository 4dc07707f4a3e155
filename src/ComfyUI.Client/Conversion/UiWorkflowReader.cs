using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Conversion;

/// <summary>A parsed UI workflow: the root graph, its subgraph definitions and its legacy group node definitions.</summary>
internal sealed class UiDocument
{
    public UiGraph Root { get; init; } = null!;

    public Dictionary<string, UiGraph> Subgraphs { get; } = new(StringComparer.Ordinal);

    /// <summary>Legacy group node definitions (<c>extra.groupNodes</c>), by name.</summary>
    public Dictionary<string, JsonObject> GroupNodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The schema version (<c>0.4</c>, <c>1</c>, …) as written.</summary>
    public string Version { get; init; } = "";
}

/// <summary>Reads the editor's workflow format (schema 0.4: link arrays; schema 1: link objects, subgraph definitions) into a <see cref="UiDocument"/>.</summary>
internal static class UiWorkflowReader
{
    /// <summary>Whether a JSON object looks like a UI workflow (top-level <c>nodes</c> array).</summary>
    public static bool IsUiWorkflow(JsonObject root) => root["nodes"] is JsonArray;

    public static UiDocument Read(JsonObject root)
    {
        var document = new UiDocument
        {
            Root = ReadGraph(root, subgraphId: null, name: null),
            Version = root["version"] is JsonValue version ? UiLink.IdText(version) : "",
        };

        if (root["definitions"] is JsonObject definitions && definitions["subgraphs"] is JsonArray subgraphs)
        {
            foreach (var item in subgraphs)
            {
                if (item is JsonObject subgraph && subgraph["id"] is JsonValue id)
                {
                    var graph = ReadGraph(subgraph, UiLink.IdText(id), subgraph["name"] is JsonValue n ? UiLink.IdText(n) : null);
                    ReadSubgraphSlots(subgraph["inputs"], graph.SubgraphInputs);
                    ReadSubgraphSlots(subgraph["outputs"], graph.SubgraphOutputs);
                    document.Subgraphs[graph.SubgraphId!] = graph;
                }
            }
        }

        if (root["extra"] is JsonObject extra && extra["groupNodes"] is JsonObject groupNodes)
        {
            foreach (var (name, value) in groupNodes)
            {
                if (value is JsonObject definition)
                {
                    document.GroupNodes[name] = definition;
                }
            }
        }

        return document;
    }

    private static UiGraph ReadGraph(JsonObject json, string? subgraphId, string? name)
    {
        var graph = new UiGraph { SubgraphId = subgraphId, Name = name };
        if (json["nodes"] is JsonArray nodes)
        {
            foreach (var item in nodes)
            {
                if (item is not JsonObject node)
                {
                    continue;
                }

                var uiNode = ReadNode(node, graph);
                graph.Nodes.Add(uiNode);
                graph.NodesById.TryAdd(uiNode.Id, uiNode);
            }
        }

        if (json["links"] is JsonArray links)
        {
            foreach (var item in links)
            {
                if (ReadLink(item) is { } link)
                {
                    graph.Links[link.Id] = link;
                }
            }
        }

        return graph;
    }

    private static UiNode ReadNode(JsonObject node, UiGraph graph)
    {
        var uiNode = new UiNode
        {
            Id = UiLink.IdText(node["id"]),
            Type = node["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String ? type.GetValue<string>() : "",
            Mode = Int(node["mode"]) ?? 0,
            Title = node["title"] is JsonValue title && title.GetValueKind() == JsonValueKind.String ? title.GetValue<string>() : null,
            WidgetsValues = node["widgets_values"],
            Properties = node["properties"] as JsonObject,
            Graph = graph,
        };

        if (node["inputs"] is JsonArray inputs)
        {
            foreach (var input in inputs)
            {
                uiNode.Inputs.Add(ReadSlot(input as JsonObject, link: true));
            }
        }

        if (node["outputs"] is JsonArray outputs)
        {
            foreach (var output in outputs)
            {
                uiNode.Outputs.Add(ReadSlot(output as JsonObject, link: false));
            }
        }

        return uiNode;
    }

    private static UiSlot ReadSlot(JsonObject? slot, bool link) => slot is null
        ? new UiSlot()
        : new UiSlot
        {
            Name = Text(slot["name"]) ?? "",
            Type = Text(slot["type"]) ?? "",
            Link = link ? Long(slot["link"]) : null,
            WidgetName = slot["widget"] is JsonObject widget ? Text(widget["name"]) : null,
        };

    private static void ReadSubgraphSlots(JsonNode? slots, List<UiSlot> into)
    {
        if (slots is JsonArray array)
        {
            foreach (var slot in array)
            {
                into.Add(ReadSlot(slot as JsonObject, link: false));
            }
        }
    }

    /// <summary>Reads a link in either form: <c>[id, origin, slot, target, slot, type]</c> (schema 0.4) or an object (schema 1, subgraphs).</summary>
    private static UiLink? ReadLink(JsonNode? item)
    {
        if (item is JsonArray array && array.Count >= 5 && Long(array[0]) is { } id)
        {
            return new UiLink
            {
                Id = id,
                OriginId = UiLink.IdText(array[1]),
                OriginSlot = Int(array[2]) ?? 0,
                TargetId = UiLink.IdText(array[3]),
                TargetSlot = Int(array[4]) ?? 0,
                Type = array.Count > 5 ? Text(array[5]) ?? "" : "",
            };
        }

        if (item is JsonObject link && Long(link["id"]) is { } linkId)
        {
            return new UiLink
            {
                Id = linkId,
                OriginId = UiLink.IdText(link["origin_id"]),
                OriginSlot = Int(link["origin_slot"]) ?? 0,
                TargetId = UiLink.IdText(link["target_id"]),
                TargetSlot = Int(link["target_slot"]) ?? 0,
                Type = Text(link["type"]) ?? "",
            };
        }

        return null;
    }

    /// <summary>A slot type as text: a string, or <c>*</c>-like values (<c>0</c>, arrays of combo values) as the editor compares them.</summary>
    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => UiLink.IdText(value),
        JsonArray => "COMBO",
        _ => null,
    };

    public static long? Long(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.Number when value.TryGetValue<long>(out var whole) => whole,
            JsonValueKind.Number => (long)value.GetValue<double>(),
            JsonValueKind.String when long.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }

    public static int? Int(JsonNode? node) => Long(node) is { } value ? (int)Math.Clamp(value, int.MinValue, int.MaxValue) : null;
}
