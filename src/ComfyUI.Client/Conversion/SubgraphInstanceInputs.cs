namespace ComfyUI.Client.Conversion;

/// <summary>
/// Gives a subgraph instance the inputs the editor gives it: one per input of the subgraph definition, in the definition's order (a saved
/// instance may list only some of them), each keeping the link of the saved input of the same name, and marked as a widget when the
/// subgraph input feeds a widget inside (a promoted widget, whose value is the instance's next <c>widgets_values</c> entry).
/// </summary>
internal static class SubgraphInstanceInputs
{
    public static void Normalize(UiNode instance, UiGraph subgraph)
    {
        if (subgraph.SubgraphInputs.Count == 0)
        {
            return;
        }

        var saved = instance.Inputs.ToList();
        var normalized = new List<UiSlot>(subgraph.SubgraphInputs.Count);
        for (var k = 0; k < subgraph.SubgraphInputs.Count; k++)
        {
            var input = subgraph.SubgraphInputs[k];
            var match = saved.Find(s => string.Equals(s.Name, input.Name, StringComparison.Ordinal))
                ?? (k < saved.Count && saved[k].Name.Length == 0 ? saved[k] : null);
            normalized.Add(new UiSlot
            {
                Name = input.Name,
                Type = input.Type,
                Link = match?.Link,
                WidgetName = FeedsWidget(subgraph, k) ? input.Name : null,
            });
        }

        instance.Inputs.Clear();
        instance.Inputs.AddRange(normalized);
    }

    /// <summary>Whether subgraph input <paramref name="index"/> is linked to a widget's input inside the subgraph.</summary>
    private static bool FeedsWidget(UiGraph subgraph, int index)
    {
        foreach (var link in subgraph.Links.Values)
        {
            if (link.OriginSlot == index && string.Equals(link.OriginId, UiGraph.InputNodeId, StringComparison.Ordinal) &&
                subgraph.NodesById.TryGetValue(link.TargetId, out var target) && link.TargetSlot < target.Inputs.Count &&
                target.Inputs[link.TargetSlot].WidgetName is not null)
            {
                return true;
            }
        }

        return false;
    }
}
