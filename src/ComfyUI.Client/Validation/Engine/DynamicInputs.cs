using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>The inputs a node is validated against: its class's, with V3 dynamic inputs expanded for this node's own inputs.</summary>
internal sealed class FinalizedInputs
{
    public PyDict Required { get; } = new();

    public PyDict Optional { get; } = new();

    /// <summary>Whether any input came from a dynamic input (the server then names missing inputs by their last dotted part).</summary>
    public bool HasDynamicPaths { get; set; }

    /// <summary>Finds an input as the server's <c>get_input_info</c> does: required first, then optional.</summary>
    public (PyValue Spec, bool IsRequired)? Find(string name) =>
        Required.TryGetValue(name, out var spec) ? (spec, true) : Optional.TryGetValue(name, out spec) ? (spec, false) : null;
}

/// <summary>
/// ComfyUI's expansion of V3 dynamic inputs against a node's inputs (<c>get_finalized_class_inputs</c>):
/// <list type="bullet">
/// <item>Autogrow (<c>COMFY_AUTOGROW_V3</c>): the template input repeated as <c>id.prefix0</c>, <c>id.prefix1</c>… (or <c>id.name</c>
/// per listed name); the first <c>min</c> are required when the template is; the autogrow input itself is not an input.</item>
/// <item>DynamicCombo (<c>COMFY_DYNAMICCOMBO_V3</c>): when the node's value for it is the key of an option, that option's inputs as
/// <c>id.child</c>, then the combo itself; otherwise nothing at all (not even a missing-input error).</item>
/// <item>DynamicSlot (<c>COMFY_DYNAMICSLOT_V3</c>): when the node has the slot, its nested inputs, then the slot itself.</item>
/// </list>
/// </summary>
internal static class DynamicInputs
{
    private const string Autogrow = "COMFY_AUTOGROW_V3";
    private const string DynamicCombo = "COMFY_DYNAMICCOMBO_V3";
    private const string DynamicSlot = "COMFY_DYNAMICSLOT_V3";

    public static FinalizedInputs Finalize(ValidationClass cls, PyDict liveInputs)
    {
        var result = new FinalizedInputs();
        if (!cls.IsV3)
        {
            foreach (var (name, spec) in cls.Required.Items)
            {
                result.Required[name] = spec;
            }

            foreach (var (name, spec) in cls.Optional.Items)
            {
                result.Optional[name] = spec;
            }

            return result;
        }

        var sections = new PyDict { ["required"] = cls.Required, ["optional"] = cls.Optional };
        Parse(result, liveInputs, sections, []);
        return result;
    }

    private static void Parse(FinalizedInputs result, PyDict liveInputs, PyDict sections, string[] prefix)
    {
        foreach (var (category, inner) in sections.Items)
        {
            if (inner is not PyDict inputs || (category != "required" && category != "optional"))
            {
                continue;
            }

            foreach (var (id, value) in inputs.Items)
            {
                var ioType = value is PyList { Count: > 0 } spec ? spec[0] : null;
                if (ioType is PyStr { Value: Autogrow or DynamicCombo or DynamicSlot } dynamicType)
                {
                    var newPrefix = prefix.Append(id).ToArray();
                    switch (dynamicType.Value)
                    {
                        case Autogrow:
                            ExpandAutogrow(result, (PyList)value, newPrefix);
                            break;
                        case DynamicCombo:
                            ExpandDynamicCombo(result, liveInputs, (PyList)value, category, newPrefix);
                            break;
                        default:
                            ExpandDynamicSlot(result, liveInputs, (PyList)value, category, newPrefix);
                            break;
                    }
                }
                else
                {
                    var finalizedId = Join(prefix, id);
                    Section(result, category)[finalizedId] = value;
                    if (prefix.Length > 0)
                    {
                        result.HasDynamicPaths = true;
                    }
                }
            }
        }
    }

    private static void ExpandAutogrow(FinalizedInputs result, PyList value, string[] prefix)
    {
        if (Options(value)?.Get("template") is not PyDict template || template.Get("input") is not PyDict templateSections)
        {
            return;
        }

        List<string> names;
        int min;
        if (template.Get("names") is PyList listed)
        {
            names = listed.Items.Select(n => n.Str()).ToList();
            min = IntOf(template.Get("min"));
        }
        else if (template.Get("prefix") is { } namePrefix)
        {
            min = IntOf(template.Get("min"));
            var max = IntOf(template.Get("max"));
            names = Enumerable.Range(0, Math.Max(0, max)).Select(i => namePrefix.Str() + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        }
        else
        {
            return;
        }

        // The template is the first input of the first non-empty section.
        PyValue? templateInput = null;
        var templateRequired = true;
        foreach (var (category, inner) in templateSections.Items)
        {
            if (inner is not PyDict inputs || inputs.Count == 0)
            {
                continue;
            }

            templateInput = inputs[inputs.Keys[0]];
            templateRequired = category == "required";
            break;
        }

        if (templateInput is null)
        {
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            Section(result, i < min && templateRequired ? "required" : "optional")[Join(prefix, names[i])] = templateInput;
        }

        // The inputs present are dynamic paths, and with none present the autogrow itself is one (with a default value).
        result.HasDynamicPaths = true;
    }

    private static void ExpandDynamicCombo(FinalizedInputs result, PyDict liveInputs, PyList value, string category, string[] prefix)
    {
        var finalizedId = string.Join('.', prefix);
        if (!liveInputs.TryGetValue(finalizedId, out var key) || Options(value)?.Get("options") is not PyList options)
        {
            return;
        }

        foreach (var option in options.Items)
        {
            if (option is PyDict optionDict && optionDict.Get("key") is { } optionKey && optionKey.PyEquals(key))
            {
                if (optionDict.Get("inputs") is PyDict nested)
                {
                    Parse(result, liveInputs, nested, prefix);
                }

                Section(result, category)[finalizedId] = value;
                result.HasDynamicPaths = true;
                return;
            }
        }
    }

    private static void ExpandDynamicSlot(FinalizedInputs result, PyDict liveInputs, PyList value, string category, string[] prefix)
    {
        var finalizedId = string.Join('.', prefix);
        if (!liveInputs.ContainsKey(finalizedId))
        {
            return;
        }

        if (Options(value)?.Get("inputs") is PyDict nested)
        {
            Parse(result, liveInputs, nested, prefix);
        }

        Section(result, category)[finalizedId] = value;
        result.HasDynamicPaths = true;
    }

    private static PyDict Section(FinalizedInputs result, string category) => category == "required" ? result.Required : result.Optional;

    private static PyDict? Options(PyList spec) => spec.Count > 1 ? spec[1] as PyDict : null;

    private static string Join(string[] prefix, string id) => prefix.Length == 0 ? id : string.Join('.', prefix) + "." + id;

    private static int IntOf(PyValue? value) => value is PyNumber number and not PyFloat ? (int)PyCompare.ToBigInteger(number) : 0;
}
