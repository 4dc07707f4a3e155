using System.Text.Json.Nodes;

namespace ComfyUI.Client.Conversion;

/// <summary>A node as it will execute: its id in the prompt (<c>"57:30"</c> inside subgraph instance 57), the UI node, its container.</summary>
internal sealed class ExecNode
{
    public string Id { get; init; } = "";

    public UiNode Node { get; init; } = null!;

    /// <summary>The subgraph (or group node) instance this node is inside, or <see langword="null"/> at the root.</summary>
    public ExecNode? Container { get; init; }

    /// <summary>For a subgraph (or expanded group node) instance: the graph inside it.</summary>
    public UiGraph? Inner { get; set; }

    /// <summary>0 always, 2 never, 4 bypass; inside a muted instance every node is muted.</summary>
    public int Mode { get; init; }

    /// <summary>The node's class, or <see langword="null"/> for virtual nodes, instances and unknown types.</summary>
    public NodeClassSchema? Class { get; set; }

    /// <summary>Values PrimitiveNodes set on this node's widgets (widget name → value).</summary>
    public Dictionary<string, JsonNode?>? WidgetOverrides { get; set; }

    /// <summary>The id of a node of the same graph as this one.</summary>
    public string Sibling(string nodeId) => Container is null ? nodeId : Container.Id + ":" + nodeId;

    public bool IsInstance => Inner is not null;
}

/// <summary>What an input resolves to: a link to an executing node's output, a value (from a subgraph instance's widget), or nothing.</summary>
internal readonly record struct Resolved(string? OriginId, int OriginSlot, JsonNode? Value, bool HasValue)
{
    public static Resolved None => default;

    public bool IsLink => OriginId is not null;

    public static Resolved Link(string originId, int slot) => new(originId, slot, null, false);

    public static Resolved Widget(JsonNode? value) => new(null, -1, value, true);
}

/// <summary>
/// Resolves node inputs to the outputs that really execute, as the editor's executable-node code does: through legacy Reroute nodes,
/// bypassed nodes (same slot when the types fit, else the first input of the exact type, else the first compatible one), subgraph
/// boundaries in both directions, and subgraph instances' widgets. Links to muted nodes are kept here and removed later with the nodes.
/// </summary>
internal sealed class ExecutionGraph
{
    private readonly Dictionary<string, ExecNode> _nodes;
    private readonly Action<ExecNode, string, string, bool> _report;

    public ExecutionGraph(Dictionary<string, ExecNode> nodes, Action<ExecNode, string, string, bool> report)
    {
        _nodes = nodes;
        _report = report;
    }

    /// <summary>Virtual node types of the editor: never sent, links through them are followed.</summary>
    public static bool IsVirtualType(string type) => type is "Reroute" or "PrimitiveNode" or "Note" or "MarkdownNote";

    public Resolved ResolveInput(ExecNode node, int slot, HashSet<string> visited, string? type = null)
    {
        if (!visited.Add(node.Id + "[I]" + slot))
        {
            _report(node, "link-cycle", $"input {slot} is part of a cycle of links through reroutes or bypassed nodes.", true);
            return Resolved.None;
        }

        if (slot < 0 || slot >= node.Node.Inputs.Count)
        {
            return Resolved.None;
        }

        var input = node.Node.Inputs[slot];
        if (input.Link is not { } linkId)
        {
            return Resolved.None;
        }

        var graph = node.Node.Graph;
        if (!graph.Links.TryGetValue(linkId, out var link))
        {
            _report(node, "dangling-link", $"input '{input.Name}' refers to link {linkId}, which is not in the workflow's links: the editor drops it when it loads the workflow, so the input is left unconnected.", false);
            return Resolved.None;
        }

        if (node.Container is { } container && string.Equals(link.OriginId, UiGraph.InputNodeId, StringComparison.Ordinal))
        {
            return ResolveSubgraphInput(node, container, link.OriginSlot, visited);
        }

        if (!_nodes.TryGetValue(node.Sibling(link.OriginId), out var origin))
        {
            _report(node, "dangling-link", $"input '{input.Name}' is linked from node {link.OriginId}, which is not in the workflow: the editor drops the link when it loads the workflow, so the input is left unconnected.", false);
            return Resolved.None;
        }

        return ResolveOutput(origin, link.OriginSlot, type ?? input.Type, visited);
    }

    /// <summary>An input of a node inside an instance that comes from the subgraph's input <paramref name="index"/>: the instance's input.</summary>
    private Resolved ResolveSubgraphInput(ExecNode node, ExecNode instance, int index, HashSet<string> visited)
    {
        if (index < 0 || index >= instance.Node.Inputs.Count)
        {
            _report(node, "missing-subgraph-input", $"is linked from subgraph input {index}, which the instance {instance.Id} does not have.", true);
            return Resolved.None;
        }

        var outerInput = instance.Node.Inputs[index];
        if (outerInput.Link is null)
        {
            // Not linked outside: the instance's own widget for that input (a promoted widget), if it has one.
            return InstanceWidgetValue(instance, index) is { } value ? value : Resolved.None;
        }

        return ResolveInput(instance, index, visited);
    }

    /// <summary>
    /// The value of the instance's widget for input <paramref name="index"/>, from its <c>widgets_values</c>: one per promoted input, in
    /// order; a list longer than that (older editors) also holds the control value after each widget that has one.
    /// </summary>
    private static Resolved? InstanceWidgetValue(ExecNode instance, int index)
    {
        var inputs = instance.Node.Inputs;
        if (inputs[index].WidgetName is null || instance.Node.WidgetsValues is not JsonArray values)
        {
            return null;
        }

        var withControls = values.Count > inputs.Count(i => i.WidgetName is not null);
        var position = 0;
        for (var i = 0; i < index; i++)
        {
            if (inputs[i].WidgetName is not null)
            {
                position += withControls && inputs[i].PromotedControl ? 2 : 1;
            }
        }

        return position < values.Count ? Resolved.Widget(values[position]) : null;
    }

    public Resolved ResolveOutput(ExecNode origin, int slot, string type, HashSet<string> visited)
    {
        if (!visited.Add(origin.Id + "[O]" + slot))
        {
            _report(origin, "link-cycle", $"output {slot} is part of a cycle of links through reroutes or bypassed nodes.", true);
            return Resolved.None;
        }

        if (origin.Mode == 4)
        {
            var index = BypassSlot(origin, slot, type);
            if (index < 0)
            {
                _report(origin, "bypass-no-match", $"is bypassed, but none of its inputs has the type {type} of output {slot}: the editor leaves the inputs fed by that output empty.", false);
                return Resolved.None;
            }

            return ResolveInput(origin, index, visited);
        }

        if (origin.Inner is { } inner)
        {
            var innerLink = inner.FindLinkInto(UiGraph.OutputNodeId, slot);
            if (innerLink is null)
            {
                return Resolved.None;
            }

            if (string.Equals(innerLink.OriginId, UiGraph.InputNodeId, StringComparison.Ordinal))
            {
                // A subgraph output wired straight to one of its inputs.
                return ResolveSubgraphInput(origin, origin, innerLink.OriginSlot, visited);
            }

            if (!_nodes.TryGetValue(origin.Id + ":" + innerLink.OriginId, out var innerNode))
            {
                _report(origin, "dangling-link", $"output {slot} comes from node {innerLink.OriginId} inside the subgraph, which is not in it.", true);
                return Resolved.None;
            }

            return ResolveOutput(innerNode, innerLink.OriginSlot, type, visited);
        }

        if (IsVirtualType(origin.Node.Type))
        {
            // Reroute: its input of the same index; a PrimitiveNode has none (its value was copied to the widgets it feeds).
            return slot < origin.Node.Inputs.Count ? ResolveInput(origin, slot, visited, type) : Resolved.None;
        }

        return Resolved.Link(origin.Id, slot);
    }

    /// <summary>The input a bypassed node passes to output <paramref name="slot"/> for a consumer of <paramref name="type"/>, or −1.</summary>
    private static int BypassSlot(ExecNode node, int slot, string type)
    {
        var inputs = node.Node.Inputs;
        if (type is "*" or "")
        {
            return inputs.Count > slot ? slot : (inputs.Count > 0 ? 0 : -1);
        }

        var outputType = slot < node.Node.Outputs.Count ? node.Node.Outputs[slot].Type : "";
        if (slot < inputs.Count && IsValidConnection(inputs[slot].Type, outputType) && IsValidConnection(inputs[slot].Type, type))
        {
            return slot;
        }

        var exact = inputs.FindIndex(i => string.Equals(i.Type, type, StringComparison.Ordinal));
        return exact >= 0 ? exact : inputs.FindIndex(i => IsValidConnection(i.Type, outputType) && IsValidConnection(i.Type, type));
    }

    /// <summary>The editor's type compatibility: <c>*</c> and empty match anything; otherwise case-insensitive, comma-separated unions intersect.</summary>
    public static bool IsValidConnection(string a, string b)
    {
        if (a is "" or "*" or "0" || b is "" or "*" or "0" || string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        if (!a.Contains(',', StringComparison.Ordinal) && !b.Contains(',', StringComparison.Ordinal))
        {
            return string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var x in a.Split(','))
        {
            foreach (var y in b.Split(','))
            {
                if (IsValidConnection(x, y))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
