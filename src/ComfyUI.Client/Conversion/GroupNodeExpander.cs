using System.Text.Json.Nodes;

namespace ComfyUI.Client.Conversion;

/// <summary>
/// Expands a legacy group node (type <c>workflow&gt;Name</c> or <c>workflow/Name</c>, defined in <c>extra.groupNodes</c>) into an inner graph
/// like a subgraph's, whose nodes execute as <c>"{instance}:{index}"</c>, as the editor's group node code does: the instance's inputs are
/// the inner link inputs no inner link feeds (node by node, slot by slot), its outputs the inner outputs no inner link uses (or that the
/// definition exposes), and its <c>widgets_values</c> the inner nodes' widgets in node order (hidden ones included).
/// </summary>
internal static class GroupNodeExpander
{
    public static bool TryExpand(UiDocument document, UiNode node, NodeSchema schema, out UiGraph? graph, out string? error)
    {
        graph = null;
        error = null;
        string name;
        if (node.Type.StartsWith("workflow>", StringComparison.Ordinal) || node.Type.StartsWith("workflow/", StringComparison.Ordinal))
        {
            name = node.Type["workflow>".Length..];
        }
        else
        {
            return false;
        }

        if (!document.GroupNodes.TryGetValue(name, out var definition))
        {
            error = $"is a group node, but the workflow has no definition of '{name}' in extra.groupNodes. Open the workflow in the editor where the group node was made and save it again.";
            return false;
        }

        graph = new UiGraph { SubgraphId = node.Type, Name = name };
        var inner = new List<(JsonObject Json, string Id)>();
        if (definition["nodes"] is JsonArray nodes)
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                if (nodes[i] is JsonObject json)
                {
                    inner.Add((json, (UiWorkflowReader.Int(json["index"]) ?? i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        // Inner links: [origin index | null, origin slot, target index, target slot, …]; null origins come from outside.
        var internalLinks = new List<(string Origin, int OriginSlot, string Target, int TargetSlot, string Type)>();
        if (definition["links"] is JsonArray links)
        {
            foreach (var item in links)
            {
                if (item is JsonArray link && link.Count >= 4 && link[0] is not null && link[2] is not null)
                {
                    internalLinks.Add((UiLink.IdText(link[0]), UiWorkflowReader.Int(link[1]) ?? 0, UiLink.IdText(link[2]), UiWorkflowReader.Int(link[3]) ?? 0,
                        link.Count > 5 ? UiLink.IdText(link[5]) : ""));
                }
            }
        }

        var external = new HashSet<(string, int)>();
        if (definition["external"] is JsonArray exposed)
        {
            foreach (var item in exposed)
            {
                if (item is JsonArray entry && entry.Count >= 2)
                {
                    external.Add((entry[0] is JsonObject innerNode ? UiLink.IdText(innerNode["index"]) : UiLink.IdText(entry[0]), UiWorkflowReader.Int(entry[1]) ?? 0));
                }
            }
        }

        var values = node.WidgetsValues as JsonArray;
        var position = 0;
        long nextLink = 1;
        var groupInput = 0;
        var groupOutput = 0;
        var linked = internalLinks.Select(l => (l.Target, l.TargetSlot)).ToHashSet();
        var used = internalLinks.Select(l => (l.Origin, l.OriginSlot)).ToHashSet();
        foreach (var (json, id) in inner)
        {
            var type = json["type"]?.GetValue<string>() ?? "";
            var nodeClass = ExecutionGraph.IsVirtualType(type) ? null : schema.Find(type);
            var ownValues = json["widgets_values"] as JsonArray;
            var innerNode = new UiNode
            {
                Id = id,
                Type = type,
                Mode = UiWorkflowReader.Int(json["mode"]) ?? 0,
                Title = json["title"]?.GetValue<string>(),
                Properties = json["properties"] as JsonObject,
                Graph = graph,
                WidgetsValues = nodeClass is null ? ownValues?.DeepClone() : TakeWidgetValues(nodeClass, json, id, linked, values, ownValues, ref position),
            };

            var inputs = json["inputs"] as JsonArray ?? [];
            for (var slot = 0; slot < inputs.Count; slot++)
            {
                var input = inputs[slot] as JsonObject;
                var widget = (input?["widget"] as JsonObject)?["name"]?.GetValue<string>();
                long? link = null;
                var feeding = internalLinks.FindIndex(l => l.Target == id && l.TargetSlot == slot);
                if (feeding >= 0)
                {
                    var source = internalLinks[feeding];
                    link = nextLink++;
                    graph.Links[link.Value] = new UiLink { Id = link.Value, OriginId = source.Origin, OriginSlot = source.OriginSlot, TargetId = id, TargetSlot = slot, Type = source.Type };
                }
                else if (widget is null)
                {
                    // A link input nothing inside feeds: the instance's next input.
                    link = nextLink++;
                    graph.Links[link.Value] = new UiLink { Id = link.Value, OriginId = UiGraph.InputNodeId, OriginSlot = groupInput++, TargetId = id, TargetSlot = slot };
                }

                innerNode.Inputs.Add(new UiSlot
                {
                    Name = input?["name"]?.GetValue<string>() ?? "",
                    Type = input?["type"] is JsonValue t ? UiLink.IdText(t) : "",
                    Link = link,
                    WidgetName = widget,
                });
            }

            var outputs = json["outputs"] as JsonArray ?? [];
            for (var slot = 0; slot < outputs.Count; slot++)
            {
                var output = outputs[slot] as JsonObject;
                innerNode.Outputs.Add(new UiSlot { Name = output?["name"]?.GetValue<string>() ?? "", Type = output?["type"] is JsonValue t ? UiLink.IdText(t) : "" });
                if (external.Contains((id, slot)) || !used.Contains((id, slot)))
                {
                    var link = nextLink++;
                    graph.Links[link] = new UiLink { Id = link, OriginId = id, OriginSlot = slot, TargetId = UiGraph.OutputNodeId, TargetSlot = groupOutput++ };
                }
            }

            graph.Nodes.Add(innerNode);
            graph.NodesById.TryAdd(id, innerNode);
        }

        if (groupInput != node.Inputs.Count)
        {
            error = $"is a group node of '{name}' whose definition has {groupInput} open link inputs, but the node has {node.Inputs.Count} inputs; the definition does not match the node. Open and save the workflow in the editor.";
            graph = null;
            return false;
        }

        return true;
    }

    /// <summary>The inner node's share of the instance's widget values (its widgets whose inputs no inner link feeds), falling back to its own saved values.</summary>
    private static JsonArray TakeWidgetValues(NodeClassSchema nodeClass, JsonObject json, string id, HashSet<(string, int)> linked, JsonArray? values, JsonArray? ownValues, ref int position)
    {
        var linkedWidgets = new HashSet<string>(StringComparer.Ordinal);
        if (json["inputs"] is JsonArray inputs)
        {
            for (var slot = 0; slot < inputs.Count; slot++)
            {
                if (linked.Contains((id, slot)) && (inputs[slot] as JsonObject)?["widget"] is JsonObject widget && widget["name"]?.GetValue<string>() is { } name)
                {
                    linkedWidgets.Add(name);
                }
            }
        }

        var result = new JsonArray();
        for (var i = 0; i < nodeClass.Widgets.Count; i++)
        {
            var widget = nodeClass.Widgets[i];
            if (widget.Input is { } input && linkedWidgets.Contains(input.Name))
            {
                result.Add(ownValues is not null && i < ownValues.Count ? ownValues[i]?.DeepClone() : null);
                continue;
            }

            if (values is not null && position < values.Count)
            {
                result.Add(values[position++]?.DeepClone());
            }
            else if (ownValues is not null && i < ownValues.Count)
            {
                result.Add(ownValues[i]?.DeepClone());
            }
            else
            {
                break;
            }
        }

        return result;
    }
}
