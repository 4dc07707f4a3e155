using System.Globalization;
using System.Text.Json.Nodes;
using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>
/// The call of a node's own validation function, as the server makes it after the input checks: the node's inputs in their
/// order in the prompt (links as <c>None</c>, undeclared inputs left out, V1 hidden inputs added), filtered to the function's
/// parameters; a result that is not <c>True</c> becomes one <c>custom_validation_failed</c> per argument passed.
/// </summary>
internal sealed partial class PromptValidationRun
{
    private List<PyDict> RunCustomValidation(string id, string classType, ValidationClass cls, FinalizedInputs finalized, PyDict inputs, PyDict receivedTypes, CustomNodeValidation custom)
    {
        var arguments = new PyDict();
        foreach (var (name, value) in inputs.Items)
        {
            var declared = finalized.Find(name);
            var isHidden = declared is null && !cls.IsV3 && cls.Hidden.ContainsKey(name);
            if (IsLink(value) && !(declared is { } d && PyOps.Get(d.Spec is PyList { Count: > 1 } s ? s[1] : new PyDict(), "rawLink")?.IsTruthy == true))
            {
                arguments[name] = PyNone.Instance;
            }
            else if (declared is not null || isHidden)
            {
                arguments[name] = value;
            }
        }

        if (!cls.IsV3)
        {
            foreach (var (name, kind) in cls.Hidden)
            {
                PyValue? hidden = kind switch
                {
                    "PROMPT" => new PyDict(),
                    "UNIQUE_ID" => new PyStr(id),
                    "DYNPROMPT" or "EXTRA_PNGINFO" or "AUTH_TOKEN_COMFY_ORG" or "API_KEY_COMFY_ORG" or "COMFY_USAGE_SOURCE" => PyNone.Instance,
                    _ => null,
                };
                if (hidden is not null)
                {
                    arguments[name] = hidden;
                }
            }
        }

        var filtered = new PyDict();
        foreach (var (name, value) in arguments.Items)
        {
            if (custom.AcceptsAnyInput || custom.Parameters.Contains(name, StringComparer.Ordinal))
            {
                filtered[name] = value;
            }
        }

        if (custom.TakesInputTypes)
        {
            filtered[InputTypesParameter] = receivedTypes;
        }

        if (custom.Check is null)
        {
            NotRun.Add((id, classType, "no offline check is known for its own validation"));
            return [];
        }

        var context = new CustomValidationContext(
            _schema,
            id,
            classType,
            cls.Definition,
            filtered.Items.Where(p => p.Key != InputTypesParameter || !custom.TakesInputTypes).ToDictionary(p => p.Key, p => ToJsonNode(p.Value), StringComparer.Ordinal),
            custom.TakesInputTypes ? receivedTypes.Items.ToDictionary(p => p.Key, p => ToJsonNode(p.Value), StringComparer.Ordinal) : null,
            _trustFileLists);
        var result = custom.Check(context);
        switch (result.Outcome)
        {
            case CustomValidationOutcome.Raised:
                throw new PyException(result.ExceptionType!, result.Message!);
            case CustomValidationOutcome.NotRun:
                NotRun.Add((id, classType, result.Message ?? "its own validation cannot be run offline"));
                return [];
            case CustomValidationOutcome.Invalid:
                return filtered.Keys.Select(name => ValidationErrors.CustomValidationFailed(name, result.Message)).ToList();
            default:
                return [];
        }
    }

    /// <summary>The server's <c>is_link</c>: <c>[str, int or float]</c>.</summary>
    private static bool IsLink(PyValue value) => value is PyList { Count: 2 } list && list[0] is PyStr && list[1] is PyNumber;

    /// <summary>A Python value as a <see cref="JsonNode"/> for user code: numbers keep int-or-float in their text (1 versus 1.0).</summary>
    internal static JsonNode? ToJsonNode(PyValue value) => value switch
    {
        PyNone => null,
        PyBool b => JsonValue.Create(b.Value),
        PyStr s => JsonValue.Create(s.Value),
        PyInt i when i.Value >= long.MinValue && i.Value <= long.MaxValue => JsonValue.Create((long)i.Value),
        PyInt i => JsonNode.Parse(i.Value.ToString(CultureInfo.InvariantCulture)),
        PyFloat f when double.IsFinite(f.Value) => JsonNode.Parse(PyFloatFormat.Repr(f.Value)),
        PyFloat f => JsonValue.Create(f.Value),
        PyList list => new JsonArray(list.Items.Select(ToJsonNode).ToArray()),
        PyDict dict => new JsonObject(dict.Items.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, ToJsonNode(p.Value)))),
        _ => null,
    };
}
