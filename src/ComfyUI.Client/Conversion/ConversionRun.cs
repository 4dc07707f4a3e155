using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Conversion;

/// <summary>One conversion: expands subgraph and group node instances into executing nodes, applies PrimitiveNode values, serializes each
/// executing node's widgets and links, then drops inputs that point at nodes that are not sent (muted, bypassed, virtual).</summary>
internal sealed class ConversionRun
{
    private const int MaxDepth = 32;
    private readonly JsonObject _uiWorkflow;
    private readonly UiDocument _document;
    private readonly NodeSchema _schema;
    private readonly WorkflowConversionOptions _options;
    private readonly Dictionary<string, ExecNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<ExecNode> _order = [];
    private readonly List<WorkflowDiagnostic> _diagnostics = [];

    public ConversionRun(JsonObject uiWorkflow, UiDocument document, NodeSchema schema, WorkflowConversionOptions options)
    {
        _uiWorkflow = uiWorkflow;
        _document = document;
        _schema = schema;
        _options = options;
    }

    public WorkflowConversionResult Execute()
    {
        SubgraphInstanceInputs.NormalizeAll(_document, _schema);
        Expand(_document.Root, container: null, depth: 0);
        ApplyPrimitives();
        var graph = new ExecutionGraph(_nodes, Report);
        var prompt = new JsonObject();
        foreach (var node in _order)
        {
            if (node.IsInstance || ExecutionGraph.IsVirtualType(node.Node.Type) || node.Mode is 2 or 4)
            {
                continue;
            }

            if (node.Class is not { } nodeClass)
            {
                var hint = _options.SkipUnknownNodes ? "it is left out." : "convert with SkipUnknownNodes to leave it out.";
                if (Guid.TryParse(node.Node.Type, out _))
                {
                    Report(node, "missing-subgraph", $"is a subgraph instance, but the workflow has no subgraph '{node.Node.Type}' in definitions.subgraphs (saved from a newer editor, or the definition was removed): {hint}", !_options.SkipUnknownNodes);
                }
                else
                {
                    Report(node, "unknown-node-type", $"the server has no node class '{node.Node.Type}' (install the custom node pack that provides it, or update ComfyUI); {hint}", !_options.SkipUnknownNodes);
                }

                continue;
            }

            prompt[node.Id] = Serialize(node, nodeClass, graph);
        }

        RemoveLinksToUnsentNodes(prompt);
        if (_diagnostics.Any(d => d.Severity == WorkflowDiagnosticSeverity.Error))
        {
            return new WorkflowConversionResult { Diagnostics = _diagnostics };
        }

        var sorted = new JsonObject();
        foreach (var id in prompt.Select(p => p.Key).Order(Workflow.NodeIdComparer).ToList())
        {
            var value = prompt[id];
            prompt.Remove(id);
            sorted[id] = value;
        }

        return new WorkflowConversionResult { Workflow = Workflow.FromConverted(sorted, _diagnostics, _uiWorkflow), Diagnostics = _diagnostics };
    }

    private void Expand(UiGraph graph, ExecNode? container, int depth)
    {
        foreach (var node in graph.Nodes)
        {
            var exec = new ExecNode
            {
                Id = container is null ? node.Id : container.Id + ":" + node.Id,
                Node = node,
                Container = container,
                Mode = container is { Mode: 2 } ? 2 : node.Mode,
            };

            if (!_nodes.TryAdd(exec.Id, exec))
            {
                Report(exec, "duplicate-node-id", $"the id {node.Id} is used by two nodes of the same graph; the editor would renumber one. Open and save the workflow in the editor.", true);
                continue;
            }

            _order.Add(exec);
            if (_document.Subgraphs.TryGetValue(node.Type, out var subgraph))
            {
                exec.Inner = subgraph;
                if (depth >= MaxDepth)
                {
                    Report(exec, "subgraph-depth", $"subgraphs are nested more than {MaxDepth} deep (a subgraph that contains itself?).", true);
                    continue;
                }

                // Inside a bypassed instance nothing runs: its outputs are bypassed at the instance.
                if (exec.Mode != 4)
                {
                    Expand(subgraph, exec, depth + 1);
                }
            }
            else if (GroupNodeExpander.TryExpand(_document, node, _schema, out var groupGraph, out var error))
            {
                exec.Inner = groupGraph;
                if (exec.Mode != 4)
                {
                    Expand(groupGraph!, exec, depth + 1);
                }
            }
            else if (error is not null)
            {
                Report(exec, "group-node", error, true);
            }
            else if (!ExecutionGraph.IsVirtualType(node.Type))
            {
                exec.Class = _schema.Find(node.Type);
            }
        }
    }

    /// <summary>Copies each PrimitiveNode's value onto the widgets it is linked to, as the editor does before it serializes.</summary>
    private void ApplyPrimitives()
    {
        foreach (var primitive in _order)
        {
            if (!string.Equals(primitive.Node.Type, "PrimitiveNode", StringComparison.Ordinal) || primitive.Node.WidgetsValues is not JsonArray { Count: > 0 } values)
            {
                continue;
            }

            var value = values[0];
            foreach (var link in primitive.Node.Graph.Links.Values)
            {
                if (!string.Equals(link.OriginId, primitive.Node.Id, StringComparison.Ordinal) ||
                    !_nodes.TryGetValue(primitive.Sibling(link.TargetId), out var target) ||
                    target.Node.FindInputWidgetSlotName(link.TargetSlot) is not { } widget)
                {
                    continue;
                }

                target.WidgetOverrides ??= new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                target.WidgetOverrides[widget] = value;
            }
        }
    }

    private JsonObject Serialize(ExecNode node, NodeClassSchema nodeClass, ExecutionGraph graph)
    {
        var inputs = new JsonObject();
        var widgets = WidgetValueMapper.Map(node.Node, nodeClass, node.WidgetOverrides, _options.FillMissingWidgetValues, (code, message) => Report(node, code, message, false));
        foreach (var (input, value) in widgets)
        {
            inputs[input.Name] = SerializeWidget(input, value);
        }

        for (var slot = 0; slot < node.Node.Inputs.Count; slot++)
        {
            var input = node.Node.Inputs[slot];
            if (input.Link is null)
            {
                continue;
            }

            var resolved = graph.ResolveInput(node, slot, new HashSet<string>(StringComparer.Ordinal));
            var name = input.Name.Length > 0 ? input.Name : input.WidgetName ?? "";
            if (resolved.IsLink)
            {
                inputs[name] = new JsonArray(resolved.OriginId, resolved.OriginSlot);
            }
            else if (resolved.HasValue)
            {
                var widgetInput = nodeClass.FindInput(input.WidgetName ?? name);
                inputs[name] = widgetInput is null ? Wrap(resolved.Value?.DeepClone()) : SerializeWidget(widgetInput, resolved.Value);
            }
        }

        return new JsonObject
        {
            ["inputs"] = inputs,
            ["class_type"] = nodeClass.ClassType,
            ["_meta"] = new JsonObject { ["title"] = node.Node.Title ?? nodeClass.DisplayName },
        };
    }

    /// <summary>A widget's value as the editor sends it: dynamic prompts processed, lists wrapped.</summary>
    private JsonNode? SerializeWidget(NodeInputSchema input, JsonNode? value)
    {
        if (input.DynamicPrompts && value is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            return JsonValue.Create(DynamicPromptText.Process(text.GetValue<string>(), _options.Random ?? Random.Shared));
        }

        return Wrap(value?.DeepClone());
    }

    /// <summary>Arrays are links in a prompt, so a list value is sent as <c>{"__value__": [...]}</c> (the server unwraps it).</summary>
    private static JsonNode? Wrap(JsonNode? value) => value is JsonArray ? new JsonObject { ["__value__"] = value } : value;

    /// <summary>Removes inputs linked to nodes that are not in the prompt (muted, or the links the resolution kept to them).</summary>
    private static void RemoveLinksToUnsentNodes(JsonObject prompt)
    {
        foreach (var (_, node) in prompt)
        {
            if (node?["inputs"] is not JsonObject inputs)
            {
                continue;
            }

            var dead = inputs.Where(p => p.Value is JsonArray { Count: 2 } link && link[0] is JsonValue id && !prompt.ContainsKey(UiLink.IdText(id)))
                .Select(p => p.Key).ToList();
            foreach (var key in dead)
            {
                inputs.Remove(key);
            }
        }
    }

    private void Report(ExecNode node, string code, string message, bool error) => _diagnostics.Add(new WorkflowDiagnostic
    {
        Severity = error ? WorkflowDiagnosticSeverity.Error : WorkflowDiagnosticSeverity.Warning,
        Code = code,
        Message = message,
        NodeId = node.Id,
        NodeType = node.Node.Type,
        NodeTitle = node.Node.Title ?? node.Class?.DisplayName,
    });
}
