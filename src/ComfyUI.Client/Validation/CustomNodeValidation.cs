using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>
/// A node class's own validation (<c>VALIDATE_INPUTS</c> on V1 classes, <c>validate_inputs</c> on V3 classes), which
/// <c>/object_info</c> does not describe. Its parameters matter even without a check: the server skips the min, max and
/// list checks of every input that is a parameter (all inputs when it takes <c>**kwargs</c>), and the link type checks when it
/// takes <c>input_types</c>. <see cref="Check"/> reproduces what the function returns; without one the node's own validation is
/// reported as not run (<see cref="PromptValidationResult.Notices"/>).
/// </summary>
/// <remarks>
/// <see cref="Core"/> lists the classes of ComfyUI 0.33.0 that have one. Add entries for custom nodes through
/// <see cref="PromptValidatorOptions.CustomValidations"/>; a later entry for the same class replaces an earlier one.
/// </remarks>
public sealed class CustomNodeValidation
{
    /// <summary>Creates an entry.</summary>
    /// <param name="classType">The node class, for example <c>LoadImage</c>.</param>
    /// <param name="parameters">The function's parameter names, without <c>cls</c>/<c>s</c>, for example <c>["image"]</c>.</param>
    /// <param name="acceptsAnyInput">Whether the function takes <c>**kwargs</c>.</param>
    /// <param name="check">What the function returns for the arguments the server would pass; <see langword="null"/> when it cannot be run offline.</param>
    public CustomNodeValidation(string classType, IEnumerable<string> parameters, bool acceptsAnyInput = false, Func<CustomValidationContext, CustomValidationResult>? check = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(classType);
        ArgumentNullException.ThrowIfNull(parameters);
        ClassType = classType;
        Parameters = parameters.ToArray();
        AcceptsAnyInput = acceptsAnyInput;
        Check = check;
    }

    /// <summary>The node class.</summary>
    public string ClassType { get; }

    /// <summary>The function's parameter names (without <c>cls</c>); <c>input_types</c> receives the linked inputs' types.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Whether the function takes <c>**kwargs</c> (then every input is passed, and none gets the min, max and list checks).</summary>
    public bool AcceptsAnyInput { get; }

    /// <summary>The check, or <see langword="null"/> when it cannot be run offline.</summary>
    public Func<CustomValidationContext, CustomValidationResult>? Check { get; }

    /// <summary>Whether the function takes <c>input_types</c> (then links into the node are not type-checked).</summary>
    public bool TakesInputTypes => Parameters.Contains("input_types", StringComparer.Ordinal);

    /// <summary>
    /// The classes of ComfyUI 0.33.0 with their own validation, with offline checks: the file loaders (<c>LoadImage</c>,
    /// <c>LoadImageMask</c>, <c>LoadImageOutput</c>, <c>WebcamCapture</c>, <c>LoadLatent</c>, <c>LoadAudio</c>, <c>LoadVideo</c>,
    /// <c>Load3D</c>, <c>Load3DAdvanced</c>) check the file name against the file list the server sent for that input;
    /// <c>ModelAttentionBackend</c>, <c>SelectModelDevice</c>, <c>SelectCLIPDevice</c>, <c>SelectVAEDevice</c> and <c>CustomCombo</c>
    /// accept anything; <c>FluxProUltraImageNode</c> checks its aspect ratio; <c>TripoConversionNode</c> the type of its link.
    /// </summary>
    public static IReadOnlyList<CustomNodeValidation> Core => CoreCustomValidations.All;
}

/// <summary>What a <see cref="CustomNodeValidation.Check"/> is given: what the server passes to the node's validation function.</summary>
public sealed class CustomValidationContext
{
    internal CustomValidationContext(NodeSchema schema, string nodeId, string classType, NodeDefinition definition, IReadOnlyDictionary<string, JsonNode?> arguments, IReadOnlyDictionary<string, JsonNode?>? inputTypes, bool trustFileLists)
    {
        Schema = schema;
        TrustFileLists = trustFileLists;
        NodeId = nodeId;
        ClassType = classType;
        Definition = definition;
        Arguments = arguments;
        InputTypes = inputTypes;
    }

    /// <summary>The server's node schema (for example the file lists of other loaders).</summary>
    public NodeSchema Schema { get; }

    /// <summary>The node id.</summary>
    public string NodeId { get; }

    /// <summary>The node class.</summary>
    public string ClassType { get; }

    /// <summary>The class's definition (for example the file list of a combo input).</summary>
    public NodeDefinition Definition { get; }

    /// <summary>
    /// The arguments, in the node's input order: the values after the server's conversions (<c>__value__</c> unwrapped, INT/FLOAT/
    /// STRING/BOOLEAN converted); a linked input is <see langword="null"/> (the server passes <c>None</c> while validating); an input
    /// the node does not have is absent (the server's call then fails when the parameter has no default).
    /// </summary>
    public IReadOnlyDictionary<string, JsonNode?> Arguments { get; }

    /// <summary>The validator's <see cref="PromptValidatorOptions.TrustFileLists"/>: whether a file missing from the server's list is missing.</summary>
    public bool TrustFileLists { get; }

    /// <summary>The received type of each linked input (the <c>input_types</c> argument), or <see langword="null"/> when not a parameter.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? InputTypes { get; }
}

/// <summary>The outcome of a <see cref="CustomNodeValidation.Check"/>.</summary>
public sealed class CustomValidationResult
{
    private CustomValidationResult(CustomValidationOutcome outcome, string? message, string? exceptionType)
    {
        Outcome = outcome;
        Message = message;
        ExceptionType = exceptionType;
    }

    /// <summary>The function returns <c>True</c>.</summary>
    public static CustomValidationResult Valid { get; } = new(CustomValidationOutcome.Valid, null, null);

    /// <summary>What happened.</summary>
    public CustomValidationOutcome Outcome { get; }

    /// <summary>The returned message (<see cref="CustomValidationOutcome.Invalid"/>), the exception text (<see cref="CustomValidationOutcome.Raised"/>) or why it was not run.</summary>
    public string? Message { get; }

    /// <summary>The exception type as the server names it (<c>ValueError</c>, <c>KeyError</c>, <c>module.Class</c>) for <see cref="CustomValidationOutcome.Raised"/>.</summary>
    public string? ExceptionType { get; }

    /// <summary>The function returns a message (or <c>False</c> when <paramref name="message"/> is <see langword="null"/>).</summary>
    /// <param name="message">The returned text; the server reports it as <c>"&lt;input&gt; - &lt;message&gt;"</c>.</param>
    /// <returns>The result.</returns>
    public static CustomValidationResult Invalid(string? message) => new(CustomValidationOutcome.Invalid, message, null);

    /// <summary>The function raises an exception (the server reports it at the node as an exception during validation).</summary>
    /// <param name="exceptionType">The exception type, for example <c>ValueError</c>.</param>
    /// <param name="message">The exception text, <c>str(exception)</c>.</param>
    /// <returns>The result.</returns>
    public static CustomValidationResult Raise(string exceptionType, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(exceptionType);
        ArgumentNullException.ThrowIfNull(message);
        return new(CustomValidationOutcome.Raised, message, exceptionType);
    }

    /// <summary>The check cannot decide offline (for example a file in the server's output folder): treated as valid, reported as a notice.</summary>
    /// <param name="reason">Why, for the notice.</param>
    /// <returns>The result.</returns>
    public static CustomValidationResult NotRun(string reason) => new(CustomValidationOutcome.NotRun, reason, null);
}

/// <summary>The outcome of a node's own validation.</summary>
public enum CustomValidationOutcome
{
    /// <summary>Valid (the function returns <c>True</c>).</summary>
    Valid,

    /// <summary>Invalid (the function returns a message or <c>False</c>): <c>custom_validation_failed</c> for each argument.</summary>
    Invalid,

    /// <summary>The function raises: the node's validation stops with an exception.</summary>
    Raised,

    /// <summary>Could not be decided offline; treated as valid.</summary>
    NotRun,
}
