using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>
/// What the server's validation reads from a node class, in Python values: <c>INPUT_TYPES()</c> (required and optional sections,
/// in declaration order), <c>RETURN_TYPES</c>, <c>OUTPUT_NODE</c>, and whether it is a V3 (schema) class. Built once per class
/// from its <c>/object_info</c> definition, which is those very values written as JSON.
/// </summary>
internal sealed class ValidationClass
{
    private ValidationClass(NodeDefinition definition, PyDict required, PyDict optional, IReadOnlyList<PyValue> returnTypes, bool isV3)
    {
        Definition = definition;
        Required = required;
        Optional = optional;
        ReturnTypes = returnTypes;
        IsV3 = isV3;
    }

    public NodeDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>The required inputs: name → spec (<c>[type, options]</c>) as Python values.</summary>
    public PyDict Required { get; }

    /// <summary>The optional inputs.</summary>
    public PyDict Optional { get; }

    /// <summary><c>RETURN_TYPES</c>.</summary>
    public IReadOnlyList<PyValue> ReturnTypes { get; }

    /// <summary>
    /// A V3 class (<c>comfy_api</c> schema): its inputs are finalized against the prompt (dynamic inputs), its <c>RETURN_TYPES</c>
    /// is a list rather than a tuple. <c>/object_info</c> marks these by always sending <c>output_matchtypes</c>.
    /// </summary>
    public bool IsV3 { get; }

    public bool IsOutputNode => Definition.OutputNode;

    public bool IsInputList => Definition.IsInputList;

    /// <summary>The hidden inputs (name → kind, for example <c>UNIQUE_ID</c>).</summary>
    public IReadOnlyDictionary<string, string> Hidden => Definition.HiddenInputs;

    public static ValidationClass From(NodeDefinition definition)
    {
        var required = ToSection(definition.RequiredInputs);
        var optional = ToSection(definition.OptionalInputs);
        var returnTypes = new List<PyValue>(definition.Output.Count);
        foreach (var output in definition.Output)
        {
            // Non-string slots are kept as raw JSON text by the definition reader (custom nodes that return option lists).
            returnTypes.Add(output.Length > 0 && output[0] is '[' or '{' && TryParse(output) is { } parsed ? parsed : new PyStr(output));
        }

        var isV3 = definition.ExtensionData.ContainsKey("output_matchtypes");
        return new ValidationClass(definition, required, optional, returnTypes, isV3);
    }

    private static PyDict ToSection(IReadOnlyDictionary<string, InputSpec> inputs)
    {
        var section = new PyDict();
        foreach (var (name, spec) in inputs)
        {
            section[name] = PyJson.Parse(spec.Raw.GetRawText());
        }

        return section;
    }

    private static PyValue? TryParse(string json)
    {
        try
        {
            return PyJson.Parse(json);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
