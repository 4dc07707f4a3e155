using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>
/// The own validation functions of ComfyUI 0.33.0's classes (found by listing every class of the server with a
/// <c>VALIDATE_INPUTS</c> or an overridden <c>validate_inputs</c>), reproduced from what they return.
/// </summary>
internal static class CoreCustomValidations
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NodeSchema, HashSet<string>> InputFiles = new();

    private static readonly (string Class, string Input)[] FileInputs =
    [
        ("LoadImage", "image"), ("LoadImageMask", "image"), ("LoadAudio", "audio"), ("LoadVideo", "file"), ("LoadLatent", "latent"),
        ("Load3D", "model_file"), ("Load3DAdvanced", "model_file"),
    ];

    public static readonly IReadOnlyList<CustomNodeValidation> All =
    [
        FileLoader("LoadImage", "image", "LoadImage.VALIDATE_INPUTS", "Invalid image file: {0}"),
        FileLoader("LoadImageMask", "image", "LoadImage.VALIDATE_INPUTS", "Invalid image file: {0}"),
        FileLoader("LoadImageOutput", "image", "LoadImage.VALIDATE_INPUTS", "Invalid image file: {0}"),
        FileLoader("WebcamCapture", "image", "LoadImage.VALIDATE_INPUTS", "Invalid image file: {0}"),
        FileLoader("LoadLatent", "latent", "LoadLatent.VALIDATE_INPUTS", "Invalid latent file: {0}"),
        FileLoader("LoadAudio", "audio", "LoadAudio.validate_inputs", "Invalid audio file: {0}"),
        FileLoader("LoadVideo", "file", "LoadVideo.validate_inputs", "Invalid video file: {0}"),
        FileLoader("Load3D", "model_file", "Load3D.validate_inputs", "Invalid 3D model file: {0}", acceptsAnyInput: true, noneAllowed: true),
        FileLoader("Load3DAdvanced", "model_file", "Load3DAdvanced.validate_inputs", "Invalid 3D model file: {0}", acceptsAnyInput: true, noneAllowed: true),
        AlwaysValid("ModelAttentionBackend", ["attention"], "ModelAttentionBackend.VALIDATE_INPUTS", required: ["attention"]),
        AlwaysValid("SelectModelDevice", ["device"], "SelectModelDeviceNode.validate_inputs", required: []),
        AlwaysValid("SelectCLIPDevice", ["device"], "SelectCLIPDeviceNode.validate_inputs", required: []),
        AlwaysValid("SelectVAEDevice", ["device"], "SelectVAEDeviceNode.validate_inputs", required: []),
        AlwaysValid("CustomCombo", ["choice", "index"], "CustomComboNode.validate_inputs", required: ["choice"], acceptsAnyInput: true),
        new CustomNodeValidation("FluxProUltraImageNode", ["aspect_ratio"], check: context =>
            Missing(context, "FluxProUltraImageNode.validate_inputs", "aspect_ratio") ?? AspectRatio.Check(context.Arguments["aspect_ratio"])),
        new CustomNodeValidation("TripoConversionNode", ["input_types"], check: TripoConversion),
    ];

    private static CustomNodeValidation AlwaysValid(string classType, string[] parameters, string function, string[] required, bool acceptsAnyInput = false) =>
        new(classType, parameters, acceptsAnyInput, context => Missing(context, function, required) ?? CustomValidationResult.Valid);

    /// <summary>
    /// A loader whose validation is <c>folder_paths.exists_annotated_filepath(name)</c>: a name ending in <c>[output]</c>, <c>[input]</c>
    /// or <c>[temp]</c> is looked up in that folder (the suffix cut by its length), any other in the input folder. Offline, a name in the
    /// input folder exists when the server listed it for this input (or it is the folder itself); output and temp files cannot be known.
    /// </summary>
    private static CustomNodeValidation FileLoader(string classType, string parameter, string function, string message, bool acceptsAnyInput = false, bool noneAllowed = false) =>
        new(classType, [parameter], acceptsAnyInput, context =>
        {
            if (Missing(context, function, parameter) is { } missing)
            {
                return missing;
            }

            var value = context.Arguments[parameter];
            if (noneAllowed && (!IsTruthy(value) || (value is JsonValue v && v.TryGetValue<string>(out var text) && text == "none")))
            {
                return CustomValidationResult.Valid;
            }

            if (value is not JsonValue stringValue || !stringValue.TryGetValue<string>(out var name))
            {
                return CustomValidationResult.Raise("AttributeError", $"'{PythonTypeName(value)}' object has no attribute 'endswith'");
            }

            var invalid = CustomValidationResult.Invalid(string.Format(CultureInfo.InvariantCulture, message, name));
            string folder = "input";
            var path = name;
            if (name.EndsWith("[output]", StringComparison.Ordinal))
            {
                folder = "output";
                path = name[..^9];
            }
            else if (name.EndsWith("[input]", StringComparison.Ordinal))
            {
                path = name[..^8];
            }
            else if (name.EndsWith("[temp]", StringComparison.Ordinal))
            {
                folder = "temp";
                path = name[..^7];
            }

            var relative = RelativePath(path);
            if (relative is null)
            {
                return invalid; // outside the folder (or a NUL byte): treated as missing by the server
            }

            if (folder != "input")
            {
                return CustomValidationResult.NotRun($"'{name}' is a file in the server's {folder} folder, which /object_info does not list.");
            }

            var files = InputFolderFiles(context.Schema);
            if (relative.Length == 0 || files.Contains(relative))
            {
                return CustomValidationResult.Valid;
            }

            if (!context.Schema.Contains("LoadImage"))
            {
                return CustomValidationResult.NotRun($"the schema lists no files of the server's input folder, so '{name}' cannot be checked offline.");
            }

            return context.TrustFileLists
                ? invalid
                : CustomValidationResult.NotRun($"'{name}' is not in the server's input file lists as last read; it may have been added since.");
        });

    /// <summary>
    /// The files of the server's input folder that <c>/object_info</c> reveals: the choices of its file loaders (images, masks, audio,
    /// video, latents; 3D models with their subfolders). Files of other kinds are not listed anywhere.
    /// </summary>
    private static HashSet<string> InputFolderFiles(NodeSchema schema) => InputFiles.GetValue(schema, static s =>
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (classType, input) in FileInputs)
        {
            if (!s.Definitions.TryGetValue(classType, out var definition) || definition.FindInput(input) is not { } spec)
            {
                continue;
            }

            foreach (var choice in spec.Choices)
            {
                if (RelativePath(choice) is { Length: > 0 } relative && !(classType.StartsWith("Load3D", StringComparison.Ordinal) && choice == "none"))
                {
                    files.Add(relative);
                }
            }
        }

        return files;
    });

    /// <summary>The path relative to its folder as Python's <c>abspath(join(folder, name))</c> resolves it; <see langword="null"/> outside the folder.</summary>
    private static string? RelativePath(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal) || name.StartsWith('/'))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static CustomValidationResult TripoConversion(CustomValidationContext context)
    {
        if (context.InputTypes is null || !context.InputTypes.TryGetValue("original_model_task_id", out var type))
        {
            return CustomValidationResult.Raise("KeyError", "'original_model_task_id'");
        }

        return type is JsonValue value && value.TryGetValue<string>(out var text) && text is "MODEL_TASK_ID" or "RIG_TASK_ID" or "RETARGET_TASK_ID"
            ? CustomValidationResult.Valid
            : CustomValidationResult.Invalid("original_model_task_id must be MODEL_TASK_ID, RIG_TASK_ID or RETARGET_TASK_ID type");
    }

    /// <summary>Python's <c>TypeError</c> for a call without a parameter that has no default.</summary>
    private static CustomValidationResult? Missing(CustomValidationContext context, string function, params string[] required)
    {
        var missing = required.Where(name => !context.Arguments.ContainsKey(name)).ToArray();
        if (missing.Length == 0)
        {
            return null;
        }

        var names = missing.Select(name => $"'{name}'").ToArray();
        var list = names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1];
        var plural = missing.Length == 1 ? "argument" : "arguments";
        return CustomValidationResult.Raise("TypeError", $"{function}() missing {missing.Length} required positional {plural}: {list}");
    }

    internal static bool IsTruthy(JsonNode? value) => value switch
    {
        null => false,
        JsonArray array => array.Count > 0,
        JsonObject obj => obj.Count > 0,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        JsonValue v when v.TryGetValue<double>(out var d) => d != 0,
        _ => true,
    };

    internal static string PythonTypeName(JsonNode? value) => value switch
    {
        null => "NoneType",
        JsonArray => "list",
        JsonObject => "dict",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "str",
            JsonValueKind.True or JsonValueKind.False => "bool",
            _ => IsInteger(v) ? "int" : "float",
        },
        _ => "object",
    };

    // Argument values are read from Python-style JSON text, so the raw number says int ("1") or float ("1.0").
    private static bool IsInteger(JsonValue value) =>
        value.TryGetValue<JsonElement>(out var element) ? !element.GetRawText().AsSpan().ContainsAny('.', 'e', 'E') : value.TryGetValue<long>(out _);
}
