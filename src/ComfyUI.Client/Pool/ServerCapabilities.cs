using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>
/// What one server of a pool can run: its node classes and their input choices (models, LoRAs, files …) as its validator knows them, and its
/// feature flags. Read when the server joins the pool, again when it restarts or when asked, and shared by every routing decision.
/// </summary>
internal sealed class ServerCapabilities
{
    public ServerCapabilities(NodeSchema schema, ServerFeatures? features, DateTimeOffset readAt)
    {
        Schema = schema;
        Features = features;
        ReadAt = readAt;
    }

    public NodeSchema Schema { get; }

    public ServerFeatures? Features { get; }

    public DateTimeOffset ReadAt { get; }

    public int NodeClassCount => Schema.Count;

    /// <summary>
    /// Why the server cannot run the workflow (<c>missing_node_type</c>: a node class it lacks; <c>value_not_in_list</c>: an input value that is not
    /// among its choices), or <see langword="null"/> when it can. Other validation errors do not make a server ineligible: they are the prompt's,
    /// and the server reports them when it is submitted, as a single client's server would.
    /// </summary>
    public (PoolRejectionKind Kind, string Reason, ComfyError Error)? WhyNot(Workflow workflow, IReadOnlyList<string>? partialExecutionTargets)
    {
        _ = partialExecutionTargets;
        foreach (var node in workflow.Nodes)
        {
            var classType = TryClassType(node);
            if (classType is null)
            {
                continue;
            }

            var nodeClass = Schema.Find(classType);
            if (nodeClass is null)
            {
                var error = new ComfyError
                {
                    Type = "missing_node_type",
                    Message = $"Node '{node.Title ?? classType}' not found. The custom node may not be installed.",
                    Details = $"Node ID '#{node.Id}'",
                    Node = new ComfyErrorNode { NodeId = node.Id, ClassType = classType, Title = node.Title ?? classType },
                };
                return (PoolRejectionKind.MissingNodeType, $"node class '{classType}' is not installed (node {node.Id})", error);
            }

            foreach (var input in nodeClass.Inputs)
            {
                if (input.Choices is not { Count: > 0 } choices || node.GetInputNode(input.Name) is not JsonValue value || value.TryGetValue<string>(out var text) is false)
                {
                    continue;
                }

                if (!choices.Contains(text))
                {
                    var detail = new ComfyNodeErrorDetail { Type = "value_not_in_list", Message = "Value not in list", Details = $"{input.Name}: '{text}' not in list" };
                    var error = new ComfyError
                    {
                        Type = "prompt_outputs_failed_validation",
                        Message = "Prompt outputs failed validation",
                        NodeErrors = new Dictionary<string, ComfyNodeError> { [node.Id] = new() { ClassType = classType, Errors = [detail] } },
                    };
                    return (PoolRejectionKind.ValueNotInList, $"'{text}' is not among its choices for {input.Name} (node {node.Id}, {classType})", error);
                }
            }
        }

        return null;
    }

    private static string? TryClassType(WorkflowNode node)
    {
        try
        {
            return node.ClassType;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }
}
