using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>The verdict on one node: valid or not, and the errors reported at it (a node can be invalid with none of its own).</summary>
internal sealed class NodeVerdict(bool valid, List<PyDict> errors)
{
    public bool Valid { get; } = valid;

    public List<PyDict> Errors { get; } = errors;
}

/// <summary>
/// The server's <c>validate_inputs</c>: one node's inputs, depth first through its links, each node once (<see cref="Validated"/>),
/// with cycle detection. Inputs are taken in the class's declaration order (required, then optional) where the server takes a Python
/// set's order; everything else follows the server step for step, including which failures abort a node (Python exceptions, as
/// <see cref="PyException"/>) and which only mark it invalid.
/// </summary>
internal sealed partial class PromptValidationRun
{
    private const string InputTypesParameter = "input_types";

    // Python's recursion limit as the server meets it (measured on 0.33.0 with chains of nodes): validating a node 985 links below
    // the output raises RecursionError; a node 979 or more links below cannot handle an exception of the node it links to (its
    // handler needs frames too), so the error is recorded for the node 979 links below, whatever raised deeper.
    private const int RecursionLimitDepth = 985;
    private const int DeepestHandlerDepth = 979;

    private readonly PyDict _prompt;
    private readonly NodeSchema _schema;
    private readonly Func<string, ValidationClass?> _classes;
    private readonly IReadOnlyDictionary<string, CustomNodeValidation> _customValidations;
    private readonly bool _trustFileLists;

    // Tests only: take outputs and inputs in a random order, as a server process with some hash seed would.
    private readonly Random? _setOrder;
    private readonly Dictionary<string, NodeVerdict> _validated = new(StringComparer.Ordinal);
    private readonly List<string> _validatedOrder = [];

    public PromptValidationRun(PyDict prompt, NodeSchema schema, Func<string, ValidationClass?> classes, IReadOnlyDictionary<string, CustomNodeValidation> customValidations, bool trustFileLists, Random? setOrder = null)
    {
        _setOrder = setOrder;
        _prompt = prompt;
        _schema = schema;
        _classes = classes;
        _customValidations = customValidations;
        _trustFileLists = trustFileLists;
    }

    /// <summary>Nodes whose own validation could not be run offline: (node id, class, why).</summary>
    public List<(string NodeId, string ClassType, string Reason)> NotRun { get; } = [];

    /// <summary>The verdicts so far, in the order the server's <c>validated</c> dict would hold them.</summary>
    public IEnumerable<KeyValuePair<string, NodeVerdict>> Validated => _validatedOrder.Select(id => new KeyValuePair<string, NodeVerdict>(id, _validated[id]));

    private void SetVerdict(string id, NodeVerdict verdict)
    {
        if (!_validated.ContainsKey(id))
        {
            _validatedOrder.Add(id);
        }

        _validated[id] = verdict;
    }

    /// <summary>Validates a node and what it links to. Throws <see cref="PyException"/> where the server's code raises.</summary>
    public NodeVerdict ValidateInputs(string id, List<string> visiting)
    {
        // Python's recursion limit (measured on 0.33.0): a call this many links below the output node raises RecursionError.
        if (visiting.Count >= RecursionLimitDepth)
        {
            throw RecursionError();
        }

        if (_validated.TryGetValue(id, out var known))
        {
            return known;
        }

        if (visiting.Contains(id))
        {
            return ReportCycle(id, visiting);
        }

        var node = (PyDict)_prompt[id];
        if (!node.TryGetValue("inputs", out var inputsValue))
        {
            throw PyException.KeyError(new PyStr("inputs"));
        }

        var inputs = (PyDict)inputsValue; // not a dict: the server failed earlier (see NodeReplacer)
        var classType = ((PyStr)node["class_type"]).Value;
        var cls = _classes(classType)!;
        _customValidations.TryGetValue(classType, out var custom);
        var finalized = DynamicInputs.Finalize(cls, inputs);
        var receivedTypes = new PyDict();
        var errors = new List<PyDict>();
        var valid = true;

        foreach (var name in InputOrder(finalized, inputs, custom))
        {
            var (spec, isRequired) = finalized.Find(name)!.Value;
            var inputType = spec is PyList { Count: > 0 } list ? list[0] : throw PyException.IndexError("tuple index out of range");
            var extraInfo = list.Count > 1 ? list[1] : new PyDict();
            if (!inputs.TryGetValue(name, out var value))
            {
                if (isRequired)
                {
                    errors.Add(ValidationErrors.RequiredInputMissing(name, finalized.HasDynamicPaths));
                }

                continue;
            }

            var info = new PyList([inputType, extraInfo]);
            if (value is PyList link)
            {
                if (link.Count != 2)
                {
                    errors.Add(ValidationErrors.BadLinkedInput(name, info, value));
                    continue;
                }

                // Neither lookup is guarded on the server: a link to a missing node or slot aborts this node's validation.
                var linkedId = LinkedNodeId(link[0]);
                var linkedClass = _classes(((PyStr)((PyDict)_prompt[linkedId])["class_type"]).Value)!;
                var receivedType = ReturnType(linkedClass, link[1]);
                receivedTypes[name] = receivedType;
                if (custom?.TakesInputTypes != true && !TypeMatch.Accepts(receivedType, inputType))
                {
                    errors.Add(ValidationErrors.ReturnTypeMismatch(name, info, receivedType, inputType, value));
                    continue;
                }

                try
                {
                    visiting.Add(id);
                    NodeVerdict linked;
                    try
                    {
                        linked = ValidateInputs(linkedId, visiting);
                    }
                    finally
                    {
                        visiting.RemoveAt(visiting.Count - 1);
                    }

                    if (!linked.Valid)
                    {
                        valid = false;
                    }
                }
                catch (PyException ex)
                {
                    // Too deep, the server's handler itself overflows (it formats the traceback): the error rises to the first
                    // node high enough to record it.
                    if (visiting.Count >= DeepestHandlerDepth)
                    {
                        throw RecursionError();
                    }

                    valid = false;
                    SetVerdict(linkedId, new NodeVerdict(false, [ValidationErrors.InnerException(name, info, ex, value)]));
                }

                continue;
            }

            if (ValidateConstant(inputs, name, inputType, extraInfo, info, value, custom) is { } error)
            {
                errors.Add(error);
            }
        }

        if (custom is not null)
        {
            errors.AddRange(RunCustomValidation(id, classType, cls, finalized, inputs, receivedTypes, custom));
        }

        // A cycle found deeper down may have stored an error for this node already: keep it, add ours after it.
        var previous = _validated.GetValueOrDefault(id) ?? new NodeVerdict(true, []);
        var joined = new List<PyDict>(previous.Errors);
        joined.AddRange(errors.Where(e => !previous.Errors.Any(p => p.PyEquals(e))));
        var verdict = new NodeVerdict(previous.Valid && valid && errors.Count == 0, joined);
        SetVerdict(id, verdict);
        return verdict;
    }

    /// <summary>A constant input: unwrap, convert, then min, max and the list of choices. Returns the error, if any.</summary>
    private static PyDict? ValidateConstant(PyDict inputs, string name, PyValue inputType, PyValue extraInfo, PyList info, PyValue value, CustomNodeValidation? custom)
    {
        try
        {
            // {"__value__": v} carries a list constant (a bare list would be a link).
            if (value is PyDict wrapped && wrapped.TryGetValue("__value__", out var unwrapped))
            {
                value = unwrapped;
                inputs[name] = value;
            }

            var converted = (inputType as PyStr)?.Value switch
            {
                "INT" => PyConvert.ToInt(value),
                "FLOAT" => PyConvert.ToFloat(value),
                "STRING" => PyConvert.ToStr(value),
                "BOOLEAN" => PyConvert.ToBool(value),
                _ => null,
            };
            if (converted is not null)
            {
                value = converted;
                inputs[name] = value;
            }
        }
        catch (PyException ex)
        {
            return ValidationErrors.InvalidInputType(name, inputType, info, value, ex);
        }

        if (custom is not null && (custom.AcceptsAnyInput || custom.Parameters.Contains(name, StringComparer.Ordinal)))
        {
            return null;
        }

        // A comparison Python cannot make (a string against a number) raises here, unguarded.
        if (PyOps.Get(extraInfo, "min") is { } min && PyCompare.Less(value, min))
        {
            return ValidationErrors.OutOfRange(name, info, value, min, belowMin: true);
        }

        if (PyOps.Get(extraInfo, "max") is { } max && PyCompare.Greater(value, max))
        {
            return ValidationErrors.OutOfRange(name, info, value, max, belowMin: false);
        }

        var isCombo = inputType is PyStr { Value: "COMBO" };
        if (inputType is PyList || isCombo)
        {
            var options = isCombo ? PyOps.Get(extraInfo, "options") ?? new PyList([]) : inputType;
            List<PyValue> invalid;
            if (PyOps.Get(extraInfo, "multiselect")?.IsTruthy == true && value is PyList many)
            {
                invalid = many.Items.Where(v => !PyOps.Contains(options, v)).ToList();
            }
            else
            {
                invalid = PyOps.Contains(options, value) ? [] : [value];
            }

            if (invalid.Count > 0)
            {
                // The server leaves out long lists (scanned model files): "(list of length N)" and no input_config.
                var length = PyOps.Length(options);
                return length > 20
                    ? ValidationErrors.ValueNotInList(name, null, value, invalid, $"(list of length {length})")
                    : ValidationErrors.ValueNotInList(name, info, value, invalid, options.Str());
            }
        }

        return null;
    }

    /// <summary>
    /// The order of a node's inputs (the server's is a Python set's): required then optional in declaration order, each name once,
    /// except that inputs the server fails on come last: a link it cannot look up (a missing node, a slot that does not exist), or a
    /// value it cannot compare with the input's min or max. Such an input stops the node's validation; the server's set order puts it
    /// anywhere, so any choice matches some server process. Last is the order that validates, and so reports, everything else.
    /// </summary>
    private List<string> InputOrder(FinalizedInputs finalized, PyDict inputs, CustomNodeValidation? custom)
    {
        var names = finalized.Required.Keys.Concat(finalized.Optional.Keys.Where(name => !finalized.Required.ContainsKey(name))).ToList();
        if (_setOrder is not null)
        {
            return names.OrderBy(_ => _setOrder.Next()).ToList();
        }

        var breaking = names.Where(name => BreaksValidation(finalized, inputs, name, custom)).ToHashSet(StringComparer.Ordinal);
        return names.Where(name => !breaking.Contains(name)).Concat(names.Where(breaking.Contains)).ToList();
    }

    /// <summary>Whether the server raises on this input: a two-item link whose node or slot lookup fails, or a constant it cannot compare.</summary>
    private bool BreaksValidation(FinalizedInputs finalized, PyDict inputs, string name, CustomNodeValidation? custom)
    {
        if (!inputs.TryGetValue(name, out var value))
        {
            return false;
        }

        try
        {
            if (value is PyList link)
            {
                if (link.Count == 2)
                {
                    var linkedId = LinkedNodeId(link[0]);
                    ReturnType(_classes(((PyStr)((PyDict)_prompt[linkedId])["class_type"]).Value)!, link[1]);
                }

                return false;
            }

            // A dry run on a copy: the real check unwraps and converts in place.
            var (spec, _) = finalized.Find(name)!.Value;
            var inputType = spec is PyList { Count: > 0 } list ? list[0] : PyNone.Instance;
            var extraInfo = spec is PyList { Count: > 1 } withOptions ? withOptions[1] : new PyDict();
            ValidateConstant(inputs.Copy(), name, inputType, extraInfo, new PyList([inputType, extraInfo]), value, custom);
            return false;
        }
        catch (PyException)
        {
            return true;
        }
    }

    private static PyException RecursionError() => new("RecursionError", "maximum recursion depth exceeded");

    /// <summary><c>prompt[o_id]</c>: a string key that exists, otherwise Python's KeyError (or TypeError for a list or dict).</summary>
    private string LinkedNodeId(PyValue key)
    {
        if (key is PyList or PyDict)
        {
            throw PyException.TypeError($"unhashable type: '{key.TypeName}'");
        }

        if (key is PyStr s && _prompt.ContainsKey(s.Value))
        {
            return s.Value;
        }

        throw PyException.KeyError(key);
    }

    /// <summary><c>RETURN_TYPES[slot]</c> (a tuple on V1 classes, a list on V3 ones), with Python's indexing and errors.</summary>
    private static PyValue ReturnType(ValidationClass cls, PyValue slot)
    {
        var kind = cls.IsV3 ? "list" : "tuple";
        if (slot is not PyNumber number || slot is PyFloat)
        {
            throw PyException.TypeError($"{kind} indices must be integers or slices, not {slot.TypeName}");
        }

        var index = PyCompare.ToBigInteger(number);
        if (index > long.MaxValue || index < long.MinValue)
        {
            throw PyException.IndexError("cannot fit 'int' into an index-sized integer");
        }

        var count = cls.ReturnTypes.Count;
        var i = (long)index;
        if (i < 0)
        {
            i += count;
        }

        if (i < 0 || i >= count)
        {
            throw PyException.IndexError($"{kind} index out of range");
        }

        return cls.ReturnTypes[(int)i];
    }

    private NodeVerdict ReportCycle(string id, List<string> visiting)
    {
        var pathNodes = visiting.Skip(visiting.IndexOf(id)).Append(id).ToList();
        var cycleNodes = pathNodes.Distinct(StringComparer.Ordinal).ToList();
        var path = string.Join(" -> ", pathNodes.Select(n => $"{n} ({((PyDict)_prompt[n])["class_type"].Str()})"));
        foreach (var nodeId in cycleNodes)
        {
            SetVerdict(nodeId, new NodeVerdict(false, [ValidationErrors.DependencyCycle(nodeId, path, cycleNodes)]));
        }

        return _validated[id];
    }
}
