namespace ComfyUI.Client;

/// <summary>
/// What one server of a pool can run: its prompt validator (its node classes and their input choices — models, LoRAs, files — and its node
/// replacements) and its feature flags. Read when the server joins the pool, again when it restarts or when asked, and shared by every routing
/// decision.
/// </summary>
internal sealed class ServerCapabilities
{
    public ServerCapabilities(PromptValidator validator, ServerFeatures? features, DateTimeOffset readAt)
    {
        Validator = validator;
        Features = features;
        ReadAt = readAt;
    }

    public PromptValidator Validator { get; }

    public ServerFeatures? Features { get; }

    public DateTimeOffset ReadAt { get; }

    public int NodeClassCount => Validator.Schema.Count;

    /// <summary>
    /// Why the server cannot run the workflow, by its own validation (<see cref="PromptValidator"/>): <c>missing_node_type</c> (a node class it
    /// lacks) or <c>value_not_in_list</c> (an input value that is not among its choices); <see langword="null"/> when it can. Other validation
    /// errors do not make a server ineligible: they are the prompt's, and the server reports them when it is submitted, as a single client's
    /// server would. A choice missing under one output makes the server ineligible even when the other outputs are valid (the server would queue
    /// the prompt and quietly run only those).
    /// </summary>
    public (PoolRejectionKind Kind, string Reason, ComfyError Error)? WhyNot(Workflow workflow, IReadOnlyList<string>? partialExecutionTargets)
    {
        var result = Validator.Validate(workflow, partialExecutionTargets);
        if (result.Error is { Type: "missing_node_type" } error)
        {
            var node = error.Node is { } missing ? $" (node {missing.NodeId})" : "";
            var classType = error.Node?.ClassType;
            return (PoolRejectionKind.MissingNodeType,
                classType is null ? error.Message + node : $"node class '{classType}' is not installed{node}", error);
        }

        foreach (var (nodeId, nodeError) in result.NodeErrors)
        {
            foreach (var detail in nodeError.Errors)
            {
                if (detail.Type == "value_not_in_list")
                {
                    // Even when other outputs are valid (the server would queue the prompt and run only those), the server cannot run it all.
                    var withNodes = new ComfyError
                    {
                        Type = result.Error?.Type ?? "prompt_outputs_failed_validation",
                        Message = result.Error?.Message ?? "Prompt outputs failed validation",
                        Details = result.Error?.Details,
                        NodeErrors = result.NodeErrors,
                    };
                    return (PoolRejectionKind.ValueNotInList, $"{detail.Details} (node {nodeId}, {nodeError.ClassType}): not among its choices", withNodes);
                }
            }
        }

        return null;
    }
}
