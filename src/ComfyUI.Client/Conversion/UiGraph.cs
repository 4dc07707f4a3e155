using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Conversion;

/// <summary>One graph of a UI workflow (the root graph or a subgraph definition): nodes, links and, for a subgraph, its inputs and outputs.</summary>
internal sealed class UiGraph
{
    /// <summary>The id of the subgraph input node inside subgraph definitions.</summary>
    public const string InputNodeId = "-10";

    /// <summary>The id of the subgraph output node inside subgraph definitions.</summary>
    public const string OutputNodeId = "-20";

    public List<UiNode> Nodes { get; } = [];

    public Dictionary<string, UiNode> NodesById { get; } = new(StringComparer.Ordinal);

    public Dictionary<long, UiLink> Links { get; } = [];

    /// <summary>The subgraph id, or <see langword="null"/> for the root graph.</summary>
    public string? SubgraphId { get; init; }

    /// <summary>The subgraph's name.</summary>
    public string? Name { get; init; }

    /// <summary>The subgraph's inputs (names and types), by slot.</summary>
    public List<UiSlot> SubgraphInputs { get; } = [];

    /// <summary>The subgraph's outputs, by slot.</summary>
    public List<UiSlot> SubgraphOutputs { get; } = [];

    public UiLink? FindLinkInto(string targetId, int targetSlot)
    {
        foreach (var link in Links.Values)
        {
            if (link.TargetSlot == targetSlot && string.Equals(link.TargetId, targetId, StringComparison.Ordinal))
            {
                return link;
            }
        }

        return null;
    }
}

/// <summary>One node of a UI graph.</summary>
internal sealed class UiNode
{
    public string Id { get; init; } = "";

    public string Type { get; init; } = "";

    /// <summary>0 always, 2 never (muted), 4 bypass.</summary>
    public int Mode { get; init; }

    /// <summary>The saved title, or <see langword="null"/> when the node has the class's default title.</summary>
    public string? Title { get; init; }

    public List<UiSlot> Inputs { get; } = [];

    public List<UiSlot> Outputs { get; } = [];

    /// <summary>The saved widget values: an array (usual), an object (some custom nodes) or <see langword="null"/>.</summary>
    public JsonNode? WidgetsValues { get; init; }

    public JsonObject? Properties { get; init; }

    public UiGraph Graph { get; init; } = null!;

    public string? FindInputWidgetSlotName(int slot) => slot >= 0 && slot < Inputs.Count ? Inputs[slot].WidgetName ?? Inputs[slot].Name : null;
}

/// <summary>An input or output slot of a node (or of a subgraph).</summary>
internal sealed class UiSlot
{
    public string Name { get; init; } = "";

    public string Type { get; init; } = "";

    /// <summary>For an input: the link id feeding it, or <see langword="null"/>.</summary>
    public long? Link { get; init; }

    /// <summary>For an input that belongs to a widget: the widget's name.</summary>
    public string? WidgetName { get; init; }

    /// <summary>For a subgraph instance's promoted widget: whether the widget inside has a control widget (older editors saved its value too).</summary>
    public bool PromotedControl { get; init; }
}

/// <summary>A link: from an output slot of one node to an input slot of another.</summary>
internal sealed class UiLink
{
    public long Id { get; init; }

    public string OriginId { get; init; } = "";

    public int OriginSlot { get; init; }

    public string TargetId { get; init; } = "";

    public int TargetSlot { get; init; }

    public string Type { get; init; } = "";

    public static string IdText(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => NumberText(value),
        null => "",
        _ => node.ToJsonString(),
    };

    private static string NumberText(JsonValue value)
    {
        if (value.TryGetValue<long>(out var whole))
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        var number = value.GetValue<double>();
        return number == Math.Floor(number) && Math.Abs(number) < 1e15
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);
    }
}
