namespace ComfyUI.Client.Conversion;

/// <summary>
/// Gives subgraph instances the inputs the editor gives them: one per input of the subgraph definition, in the definition's order (a saved
/// instance may list only some of them), each keeping the link of the saved input of the same name, and marked as a widget when the
/// subgraph input feeds a widget inside, directly or through a nested instance (a promoted widget, whose value is the instance's next
/// <c>widgets_values</c> entry).
/// </summary>
internal static class SubgraphInstanceInputs
{
    /// <summary>Normalizes every instance in the root graph and in the definitions; nested promotions settle over repeated passes.</summary>
    public static void NormalizeAll(UiDocument document, NodeSchema schema)
    {
        var graphs = document.Subgraphs.Values.Append(document.Root).ToList();
        for (var pass = 0; pass <= document.Subgraphs.Count; pass++)
        {
            var changed = false;
            foreach (var graph in graphs)
            {
                foreach (var node in graph.Nodes)
                {
                    if (document.Subgraphs.TryGetValue(node.Type, out var subgraph))
                    {
                        changed |= Normalize(node, subgraph, schema);
                    }
                }
            }

            if (!changed)
            {
                return;
            }
        }
    }

    /// <summary>Rebuilds one instance's inputs; returns whether they changed.</summary>
    private static bool Normalize(UiNode instance, UiGraph subgraph, NodeSchema schema)
    {
        if (subgraph.SubgraphInputs.Count == 0)
        {
            return false;
        }

        var saved = instance.Inputs.ToList();
        var normalized = new List<UiSlot>(subgraph.SubgraphInputs.Count);
        for (var k = 0; k < subgraph.SubgraphInputs.Count; k++)
        {
            var input = subgraph.SubgraphInputs[k];
            var match = saved.Find(s => string.Equals(s.Name, input.Name, StringComparison.Ordinal))
                ?? (k < saved.Count && saved[k].Name.Length == 0 ? saved[k] : null);
            var widget = PromotedWidget(subgraph, k, schema);
            normalized.Add(new UiSlot
            {
                Name = input.Name,
                Type = input.Type,
                Link = match?.Link,
                WidgetName = widget is null ? null : input.Name,
                PromotedControl = widget?.ControlWidgetCount > 0,
            });
        }

        var changed = normalized.Count != saved.Count || normalized.Where((slot, i) =>
            !string.Equals(slot.Name, saved[i].Name, StringComparison.Ordinal) || slot.Link != saved[i].Link ||
            !string.Equals(slot.WidgetName, saved[i].WidgetName, StringComparison.Ordinal) || slot.PromotedControl != saved[i].PromotedControl).Any();
        if (changed)
        {
            instance.Inputs.Clear();
            instance.Inputs.AddRange(normalized);
        }

        return changed;
    }

    /// <summary>
    /// The widget input that subgraph input <paramref name="index"/> feeds inside (the first one, as the editor picks), or
    /// <see langword="null"/>. A nested instance's promoted input counts; its class is unknown, so it carries no control widget.
    /// </summary>
    private static NodeInputSchema? PromotedWidget(UiGraph subgraph, int index, NodeSchema schema)
    {
        foreach (var link in subgraph.Links.Values.OrderBy(l => l.Id))
        {
            if (link.OriginSlot != index || !string.Equals(link.OriginId, UiGraph.InputNodeId, StringComparison.Ordinal) ||
                !subgraph.NodesById.TryGetValue(link.TargetId, out var target) || link.TargetSlot >= target.Inputs.Count ||
                target.Inputs[link.TargetSlot].WidgetName is not { } name)
            {
                continue;
            }

            return schema.Find(target.Type)?.FindInput(name) ?? new NodeInputSchema { Name = name };
        }

        return null;
    }
}
