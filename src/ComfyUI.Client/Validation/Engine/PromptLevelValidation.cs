using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>What the server's <c>validate_prompt</c> returns: <c>(valid, error, good_outputs, node_errors)</c>.</summary>
internal sealed class PromptVerdict
{
    public bool Valid { get; init; }

    public PyDict? Error { get; init; }

    public IReadOnlyList<string> GoodOutputs { get; init; } = [];

    public IReadOnlyList<string> FailedOutputs { get; init; } = [];

    public PyDict NodeErrors { get; init; } = new();
}

/// <summary>
/// The server's <c>validate_prompt</c>: node classes checked in document order (the first node without a class or with an unknown
/// one ends it), the output nodes (filtered by <c>partial_execution_targets</c>) validated one by one, the nodes with errors
/// collected per failed output. The server takes the outputs in a Python set's order; this takes them ordered by id
/// (<see cref="NodeIdComparer"/>), which decides the order, and with several failed outputs the membership, of
/// <c>dependent_outputs</c>.
/// </summary>
internal sealed partial class PromptValidationRun
{
    public PromptVerdict ValidatePrompt(PyValue? partialExecutionTargets)
    {
        var outputs = new List<string>();
        foreach (var (id, node) in _prompt.Items)
        {
            if (!HasKey(node, "class_type"))
            {
                var title = Meta(node)?.Get("title");
                var shown = title is not null && title.IsTruthy ? title.Str() : $"ID #{id}";
                return Rejected(MissingNodeType($"Node '{shown}' has no class_type. The workflow may be corrupted or a custom node is missing.", id, PyNone.Instance, title ?? PyNone.Instance));
            }

            var classType = ((PyDict)node)["class_type"];
            if (classType is PyList or PyDict)
            {
                throw new ServerFailure(PyException.TypeError($"unhashable type: '{classType.TypeName}'"));
            }

            var cls = classType is PyStr name ? _classes(name.Value) : null;
            if (cls is null)
            {
                var title = Meta(node) is { } meta ? meta.Get("title") ?? classType : classType;
                return Rejected(MissingNodeType($"Node '{title.Str()}' not found. The custom node may not be installed.", id, classType, title));
            }

            if (cls.IsOutputNode && (partialExecutionTargets is null or PyNone || PartialTargetsContain(partialExecutionTargets, id)))
            {
                outputs.Add(id);
            }
        }

        if (outputs.Count == 0)
        {
            return Rejected(ValidationErrors.Error("prompt_no_outputs", "Prompt has no outputs", "", new PyDict()));
        }

        outputs.Sort(NodeIdComparer.Instance);
        if (_setOrder is not null)
        {
            outputs = outputs.OrderBy(_ => _setOrder.Next()).ToList();
        }

        var goodOutputs = new List<string>();
        var failed = new List<(string Output, List<PyDict> Reasons)>();
        var nodeErrors = new PyDict();
        foreach (var output in outputs)
        {
            NodeVerdict verdict;
            try
            {
                verdict = ValidateInputs(output, []);
            }
            catch (PyException ex)
            {
                verdict = new NodeVerdict(false, [ValidationErrors.OuterException(ex)]);
                SetVerdict(output, verdict);
            }

            if (verdict.Valid)
            {
                goodOutputs.Add(output);
                continue;
            }

            failed.Add((output, verdict.Errors));

            // Every node validated so far that has errors of its own is reported, and counts this output as dependent on it.
            foreach (var (nodeId, result) in Validated)
            {
                if (result.Valid || result.Errors.Count == 0)
                {
                    continue;
                }

                if (!nodeErrors.TryGetValue(nodeId, out var entry))
                {
                    entry = new PyDict
                    {
                        ["errors"] = new PyList(result.Errors.Cast<PyValue>().ToList()),
                        ["dependent_outputs"] = new PyList([]),
                        ["class_type"] = ((PyDict)_prompt[nodeId])["class_type"],
                    };
                    nodeErrors[nodeId] = entry;
                }

                ((PyList)((PyDict)entry)["dependent_outputs"]).Items.Add(new PyStr(output));
            }
        }

        var failedOutputs = failed.Select(f => f.Output).ToList();
        if (goodOutputs.Count == 0)
        {
            // Only the output nodes' own errors make the summary.
            var details = string.Join("\n", failed.SelectMany(f => f.Reasons).Select(e => $"{e["message"].Str()}: {e["details"].Str()}"));
            return new PromptVerdict
            {
                Valid = false,
                Error = ValidationErrors.Error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details, new PyDict()),
                FailedOutputs = failedOutputs,
                NodeErrors = nodeErrors,
            };
        }

        return new PromptVerdict { Valid = true, GoodOutputs = goodOutputs, FailedOutputs = failedOutputs, NodeErrors = nodeErrors };
    }

    private static PromptVerdict Rejected(PyDict error) => new() { Valid = false, Error = error };

    private static PyDict MissingNodeType(string message, string id, PyValue classType, PyValue title) =>
        ValidationErrors.Error("missing_node_type", message, $"Node ID '#{id}'",
            new PyDict { ["node_id"] = new PyStr(id), ["class_type"] = classType, ["node_title"] = title });

    /// <summary><c>'class_type' in node</c>; a node that is not an object makes the server fail when it reads it next.</summary>
    private static bool HasKey(PyValue node, string key) => node switch
    {
        PyDict dict => dict.ContainsKey(key),
        PyStr or PyList when !PyOps.Contains(node, new PyStr(key)) =>
            throw new ServerFailure(PyException.AttributeError($"'{node.TypeName}' object has no attribute 'get'")),
        PyStr => throw new ServerFailure(PyException.TypeError("string indices must be integers, not 'str'")),
        _ => throw new ServerFailure(PyException.TypeError($"{node.TypeName} indices must be integers or slices, not str")),
    };

    /// <summary><c>node.get('_meta', {})</c>, which must be a dict for the server's next <c>.get</c>.</summary>
    private static PyDict? Meta(PyValue node)
    {
        var meta = ((PyDict)node).Get("_meta");
        return meta switch
        {
            null => null,
            PyDict dict => dict,
            _ => throw new ServerFailure(PyException.AttributeError($"'{meta.TypeName}' object has no attribute 'get'")),
        };
    }

    private static bool PartialTargetsContain(PyValue targets, string id)
    {
        try
        {
            return PyOps.Contains(targets, new PyStr(id));
        }
        catch (PyException ex)
        {
            throw new ServerFailure(ex);
        }
    }
}

/// <summary>
/// The SDK's order for node ids where the server's is a Python set's: ids that are whole numbers by value, first; then the others
/// in ordinal order (subgraph ids such as <c>12:3</c>).
/// </summary>
internal sealed class NodeIdComparer : IComparer<string>
{
    public static readonly NodeIdComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var xNumber = IsNumber(x!);
        var yNumber = IsNumber(y!);
        if (xNumber && yNumber)
        {
            var a = x!.TrimStart('0');
            var b = y!.TrimStart('0');
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b) is var c && c != 0 ? c : string.CompareOrdinal(x, y);
        }

        return xNumber != yNumber ? (xNumber ? -1 : 1) : string.CompareOrdinal(x, y);
    }

    private static bool IsNumber(string id) => id.Length is > 0 and < 100 && id.All(char.IsAsciiDigit);
}
