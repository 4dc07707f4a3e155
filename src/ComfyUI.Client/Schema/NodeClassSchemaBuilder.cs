using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>
/// Builds a <see cref="NodeClassSchema"/> from a <see cref="NodeDefinition"/>: input order, the editor's widget rules (which types have a
/// widget, forceInput, control-after-generate, upload widgets) and the V3 dynamic inputs. No I/O: the definition is already read.
/// </summary>
internal static class NodeClassSchemaBuilder
{
    /// <summary>
    /// The types the editor (ComfyUI frontend 1.4x–1.5x) draws as widgets: its core widgets, its dynamic combo, and the widgets its bundled
    /// extensions register. Every other type is a socket only.
    /// </summary>
    internal static readonly HashSet<string> WidgetTypes = new(StringComparer.Ordinal)
    {
        "INT", "FLOAT", "BOOLEAN", "STRING", "COMBO", "MARKDOWN", "IMAGEUPLOAD", "COLOR", "IMAGECOMPARE", "BOUNDING_BOX", "CHART",
        "GALLERIA", "PAINTER", "COMPOSITOR", "TEXTAREA", "CURVE", "RANGE", "VIDEO_EDIT", "RESOLUTION_PREVIEW", "BOUNDING_BOXES", "COLORS",
        "COMFY_DYNAMICCOMBO_V3",

        // Registered by the editor's bundled extensions.
        "LOAD_3D", "LOAD_3D_ANIMATION", "PREVIEW_3D", "PREVIEW_3D_ANIMATION", "WEBCAM", "AUDIO_RECORD", "AUDIO_UI", "AUDIOUPLOAD",
        "VIDEOUPLOAD", "FILEUPLOAD",
    };

    private static readonly (string Option, string Kind)[] UploadOptions =
    [
        ("image_upload", "image"), ("video_upload", "video"), ("animated_image_upload", "animated_image"), ("audio_upload", "audio"),
        ("file_upload", "file"), ("model_upload", "3d"),
    ];

    public static NodeClassSchema Build(string classType, NodeDefinition definition)
    {
        var inputs = new List<NodeInputSchema>();
        AddSection(inputs, definition, "required", definition.RequiredInputs, isRequired: true);
        var requiredCount = inputs.Count;
        AddSection(inputs, definition, "optional", definition.OptionalInputs, isRequired: false);

        var outputs = new NodeOutputSchema[definition.Output.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var type = definition.Output[i];
            outputs[i] = new NodeOutputSchema
            {
                Index = i,
                Type = type,
                Name = i < definition.OutputName.Count && !string.IsNullOrEmpty(definition.OutputName[i]) ? definition.OutputName[i] : type,
                IsList = i < definition.OutputIsList.Count && definition.OutputIsList[i],
                Tooltip = i < definition.OutputTooltips.Count ? definition.OutputTooltips[i] : null,
            };
        }

        return new NodeClassSchema
        {
            ClassType = classType,
            Definition = definition,
            Inputs = inputs,
            HiddenInputs = definition.HiddenInputs,
            Outputs = outputs,
            Widgets = Widgets(inputs, requiredCount),
        };
    }

    /// <summary>Adds a section's inputs in <c>input_order</c>, then any the order does not list, in the section's own order.</summary>
    private static void AddSection(List<NodeInputSchema> inputs, NodeDefinition definition, string section, IReadOnlyDictionary<string, InputSpec> specs, bool isRequired)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (definition.InputOrder.TryGetValue(section, out var order))
        {
            foreach (var name in order)
            {
                if (specs.TryGetValue(name, out var spec) && seen.Add(name))
                {
                    inputs.Add(CreateInput(name, isRequired, spec));
                }
            }
        }

        foreach (var pair in specs)
        {
            if (seen.Add(pair.Key))
            {
                inputs.Add(CreateInput(pair.Key, isRequired, pair.Value));
            }
        }
    }

    /// <summary>The editor's widgets in <c>widgets_values</c> order: required widgets (each with its controls), upload widgets, optional widgets.</summary>
    private static NodeWidgetSchema[] Widgets(List<NodeInputSchema> inputs, int requiredCount)
    {
        var widgets = new List<NodeWidgetSchema>();
        string? upload = null;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (i == requiredCount && upload is not null)
            {
                AddUploadWidgets(widgets, upload);
                upload = null;
            }

            if (i < requiredCount && input.Upload is not null && upload is null && input.IsWidget)
            {
                upload = input.Upload;
            }

            AddWidgets(widgets, input);
        }

        if (upload is not null)
        {
            AddUploadWidgets(widgets, upload);
        }

        return [.. widgets];
    }

    /// <summary>An input's own widget and its control widgets (nothing for sockets).</summary>
    internal static void AddWidgets(List<NodeWidgetSchema> widgets, NodeInputSchema input)
    {
        if (!input.IsWidget)
        {
            return;
        }

        widgets.Add(new NodeWidgetSchema { Name = input.Name, Role = NodeWidgetRole.Value, Input = input });
        if (input.ControlWidgetCount > 0)
        {
            widgets.Add(new NodeWidgetSchema { Name = "control_after_generate", Role = NodeWidgetRole.Control, Input = input });
        }

        if (input.ControlWidgetCount > 1)
        {
            widgets.Add(new NodeWidgetSchema { Name = "control_filter_list", Role = NodeWidgetRole.ControlFilter, Input = input });
        }
    }

    /// <summary>The editor-only widgets the upload extensions add after the required inputs.</summary>
    private static void AddUploadWidgets(List<NodeWidgetSchema> widgets, string upload)
    {
        if (string.Equals(upload, "audio", StringComparison.Ordinal))
        {
            widgets.Add(new NodeWidgetSchema { Name = "audioUI", Role = NodeWidgetRole.EditorOnly });
        }

        widgets.Add(new NodeWidgetSchema { Name = "upload", Role = NodeWidgetRole.EditorOnly });
    }

    /// <summary>Builds one input's schema from its spec (also used for the sub-inputs of dynamic inputs).</summary>
    internal static NodeInputSchema CreateInput(string name, bool isRequired, InputSpec spec)
    {
        var options = spec.Options is { ValueKind: JsonValueKind.Object } o ? o : default;
        var widgetTypeOption = StringOption(options, "widgetType");
        var forceInput = Flag(options, "forceInput");
        var widgetType = spec.Kind == InputKind.Combo ? "COMBO" : widgetTypeOption ?? spec.Type;
        if (!WidgetTypes.Contains(widgetType))
        {
            widgetType = null;
        }

        // The editor adds a control widget when the spec asks for one (true, or the initial mode as a string), and for INT seeds by name.
        string? control = null;
        if (options.ValueKind == JsonValueKind.Object && options.TryGetProperty("control_after_generate", out var controlOption))
        {
            control = controlOption.ValueKind switch
            {
                JsonValueKind.True => "randomize",
                JsonValueKind.String when controlOption.GetString() is { Length: > 0 } mode => mode,
                _ => null,
            };
        }
        else if (string.Equals(widgetType, "INT", StringComparison.Ordinal) && name is "seed" or "noise_seed")
        {
            control = "randomize";
        }

        if (widgetType is not ("INT" or "COMBO"))
        {
            // Only integer and combo widgets get a control widget.
            control = null;
        }

        string? upload = null;
        foreach (var (option, kind) in UploadOptions)
        {
            if (Flag(options, option))
            {
                upload = kind;
                break;
            }
        }

        return new NodeInputSchema
        {
            Name = name,
            IsRequired = isRequired,
            Type = spec.Type,
            Kind = spec.Kind,
            WidgetType = widgetType,
            ForceInput = forceInput,
            RawLink = Flag(options, "rawLink"),
            Lazy = Flag(options, "lazy"),
            Socketless = Flag(options, "socketless"),
            IsHiddenWidget = Flag(options, "hidden"),
            Advanced = Flag(options, "advanced"),
            ControlAfterGenerate = control is not null,
            ControlAfterGenerateDefault = control,
            Choices = spec.Choices,
            Multiselect = spec.Multiselect,
            Upload = upload,
            Multiline = spec.Multiline,
            DynamicPrompts = Flag(options, "dynamicPrompts"),
            Default = spec.Default,
            Min = spec.Min,
            Max = spec.Max,
            Step = spec.Step,
            Round = spec.Round,
            Tooltip = spec.Tooltip,
            DisplayName = StringOption(options, "display_name"),
            Autogrow = string.Equals(spec.Type, "COMFY_AUTOGROW_V3", StringComparison.Ordinal) ? Autogrow(options) : null,
            DynamicOptions = string.Equals(spec.Type, "COMFY_DYNAMICCOMBO_V3", StringComparison.Ordinal) ? DynamicOptions(name, options) : [],
            MatchTypeTemplateId = string.Equals(spec.Type, "COMFY_MATCHTYPE_V3", StringComparison.Ordinal) ? MatchTemplate(options, "template_id") : null,
            MatchTypeAllowedTypes = string.Equals(spec.Type, "COMFY_MATCHTYPE_V3", StringComparison.Ordinal) && MatchTemplate(options, "allowed_types") is { } allowed
                ? allowed.Split(',')
                : [],
            Spec = spec,
        };
    }

    private static NodeAutogrowSchema? Autogrow(JsonElement options)
    {
        if (options.ValueKind != JsonValueKind.Object || !options.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var inputs = new List<NodeInputSchema>();
        if (template.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object)
        {
            AddSubInputs(inputs, input, prefix: null);
        }

        var names = new List<string>();
        if (template.TryGetProperty("names", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    names.Add(item.GetString()!);
                }
            }
        }

        return new NodeAutogrowSchema
        {
            Prefix = StringOption(template, "prefix"),
            Names = names,
            Min = IntOption(template, "min") ?? 0,
            Max = IntOption(template, "max") ?? (names.Count > 0 ? names.Count : null),
            Inputs = inputs,
        };
    }

    private static NodeDynamicComboOption[] DynamicOptions(string name, JsonElement options)
    {
        if (options.ValueKind != JsonValueKind.Object || !options.TryGetProperty("options", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<NodeDynamicComboOption>();
        foreach (var option in list.EnumerateArray())
        {
            if (option.ValueKind != JsonValueKind.Object || StringOption(option, "key") is not { } key)
            {
                continue;
            }

            var inputs = new List<NodeInputSchema>();
            if (option.TryGetProperty("inputs", out var sections) && sections.ValueKind == JsonValueKind.Object)
            {
                AddSubInputs(inputs, sections, prefix: name + ".");
            }

            result.Add(new NodeDynamicComboOption { Key = key, Inputs = inputs });
        }

        return [.. result];
    }

    /// <summary>Adds the inputs of a <c>{"required": {…}, "optional": {…}}</c> object, names prefixed.</summary>
    private static void AddSubInputs(List<NodeInputSchema> inputs, JsonElement sections, string? prefix)
    {
        foreach (var (section, isRequired) in new[] { ("required", true), ("optional", false) })
        {
            if (sections.TryGetProperty(section, out var specs) && specs.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in specs.EnumerateObject())
                {
                    inputs.Add(CreateInput(prefix + property.Name, isRequired, NodeDefinitionReader.ParseSpec(property.Value)));
                }
            }
        }
    }

    private static string? MatchTemplate(JsonElement options, string key) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty("template", out var template) && template.ValueKind == JsonValueKind.Object
            ? StringOption(template, key)
            : null;

    private static bool Flag(JsonElement options, string key) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.True;

    private static string? StringOption(JsonElement options, string key) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? IntOption(JsonElement options, string key) =>
        options.ValueKind == JsonValueKind.Object && options.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var number)
            ? (int)Math.Min(int.MaxValue, Math.Max(int.MinValue, number))
            : null;
}
