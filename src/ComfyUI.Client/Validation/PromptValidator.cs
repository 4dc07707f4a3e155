using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using ComfyUI.Client.Validation.Engine;
using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client;

/// <summary>
/// Validates prompts offline and gives the server's own verdict, error for error: the <c>error</c> and <c>node_errors</c> that
/// <c>POST /prompt</c> of ComfyUI 0.33.0 would answer, from the server's node definitions (<c>/object_info</c>, live or saved).
/// </summary>
/// <remarks>
/// <para>
/// It reproduces the server's <c>validate_prompt</c>: unknown or missing classes, no output node, then per output node and
/// through its links, per input: missing required inputs, malformed links, links to missing nodes or slots, output/input type
/// mismatches (<c>*</c>, comma sets, lists into <c>COMBO</c>), cycles, INT/FLOAT/STRING/BOOLEAN conversions with Python's rules
/// (<c>20.7</c> is 20 for an INT, <c>"abc"</c> fails), min and max, values not in a list, <c>{"__value__": …}</c>, V3 dynamic
/// inputs, node replacements, and the own validation functions of the core classes (<see cref="CustomNodeValidation.Core"/>).
/// Messages, details and <c>extra_info</c> carry Python's text forms (<c>'a'</c>, <c>True</c>, <c>None</c>, <c>1e-05</c>).
/// </para>
/// <para>
/// Where the server's order depends on its process (it walks outputs and each node's inputs in Python set order, which changes
/// with the hash seed of each server process), the SDK takes one documented order: outputs by node id (numbers by value);
/// a node's inputs in the class's declaration order (required, then optional), except that a link the server cannot look up
/// (a missing node or output slot), which stops the node's validation, comes last, so that everything else the node links to is
/// validated and reported. That decides the order of errors within a node, of <c>dependent_outputs</c> (and with several failed
/// outputs, which outputs a node lists), which linked nodes are reported when a broken link stops a node's validation, and for
/// which of its users a broken node's exception is reported. Tracebacks are empty lists.
/// </para>
/// <para>Thread-safe: one validator can validate many prompts at once.</para>
/// </remarks>
public sealed class PromptValidator
{
    private readonly NodeSchema _schema;
    private readonly ConcurrentDictionary<string, ValidationClass> _classes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomNodeValidation> _customValidations = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, IReadOnlyList<NodeReplacement>> _replacements;
    private readonly bool _trustFileLists;

    /// <summary>Creates a validator for a server's node schema.</summary>
    /// <param name="schema">The server's node schema: <see cref="DiscoveryClient.GetNodeSchemaAsync"/>, or a saved <c>/object_info</c> (<see cref="NodeSchema.LoadAsync(string, CancellationToken)"/>).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    public PromptValidator(NodeSchema schema, PromptValidatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        options ??= new PromptValidatorOptions();
        _schema = schema;
        foreach (var validation in options.CustomValidations ?? [])
        {
            _customValidations[validation.ClassType] = validation;
        }

        _replacements = options.NodeReplacements is { } replacements
            ? replacements.ToDictionary(p => p.Key, p => (IReadOnlyList<NodeReplacement>)p.Value, StringComparer.Ordinal)
            : NodeReplacer.Core;
        _trustFileLists = options.TrustFileLists;
    }

    /// <summary>Validates a workflow (an API-format prompt).</summary>
    /// <param name="workflow">The prompt.</param>
    /// <param name="partialExecutionTargets">The output nodes to run (<see cref="PromptOptions.PartialExecutionTargets"/>), or <see langword="null"/> for all.</param>
    /// <returns>The server's verdict.</returns>
    public PromptValidationResult Validate(Workflow workflow, IReadOnlyList<string>? partialExecutionTargets = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return Validate(PyJson.Parse(workflow.ToJson()), Targets(partialExecutionTargets));
    }

    /// <summary>Validates a prompt given as JSON (node id → <c>{"class_type", "inputs", "_meta"}</c>), however malformed.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="partialExecutionTargets">The output nodes to run, or <see langword="null"/> for all.</param>
    /// <returns>The server's verdict.</returns>
    public PromptValidationResult Validate(JsonObject prompt, IReadOnlyList<string>? partialExecutionTargets = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return Validate(PyJson.Parse(prompt.ToJsonString()), Targets(partialExecutionTargets));
    }

    /// <summary>
    /// Validates JSON text as the server reads it (Python's <c>json</c>: big integers, <c>NaN</c>, a repeated key keeps its last
    /// value): an API-format prompt, or a whole <c>POST /prompt</c> body (<c>{"prompt": {…}, "partial_execution_targets": […]}</c>).
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The server's verdict.</returns>
    /// <exception cref="FormatException">The text is not JSON; the message says where.</exception>
    public PromptValidationResult ValidateJson(string json) => ValidateJson(json, setOrder: null);

    /// <summary>As <see cref="ValidateJson(string)"/>, taking outputs and inputs in the order <paramref name="setOrder"/> shuffles them (tests: any server process's order).</summary>
    internal PromptValidationResult ValidateJson(string json, Random? setOrder)
    {
        ArgumentNullException.ThrowIfNull(json);
        var root = PyJson.Parse(json);
        if (root is PyDict body && body.Get("prompt") is PyDict prompt && !prompt.ContainsKey("class_type"))
        {
            return Validate(prompt, body.Get("partial_execution_targets"), setOrder);
        }

        return Validate(root, null, setOrder);
    }

    private static PyList? Targets(IReadOnlyList<string>? targets) =>
        targets is null ? null : new PyList(targets.Select(t => (PyValue)new PyStr(t ?? throw new ArgumentException("A target id is null.", nameof(targets)))).ToList());

    private PromptValidationResult Validate(PyValue root, PyValue? partialExecutionTargets, Random? setOrder = null)
    {
        try
        {
            if (root is not PyDict prompt)
            {
                throw new ServerFailure(PyException.AttributeError($"'{root.TypeName}' object has no attribute 'items'"));
            }

            NodeReplacer.Apply(prompt, _replacements, _schema.Contains);
            var run = new PromptValidationRun(prompt, _schema, FindClass, _customValidations, _trustFileLists, setOrder);
            var verdict = prompt.Count <= ShallowPromptSize ? run.ValidatePrompt(partialExecutionTargets) : OnLargeStack(() => run.ValidatePrompt(partialExecutionTargets));
            return PromptValidationResult.From(verdict, run.NotRun);
        }
        catch (ServerFailure failure)
        {
            return PromptValidationResult.FromServerFailure(failure.Cause);
        }
    }

    /// <summary>
    /// Validation follows links depth first, as the server does, up to its recursion limit (979 links). A prompt with more nodes than
    /// this may be that deep: it is validated on a thread whose stack has room for it, whatever the caller's stack.
    /// </summary>
    private const int ShallowPromptSize = 64;

    private static T OnLargeStack<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = work();
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
            },
            64 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "ComfyUI prompt validation",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>The schema this validator checks against.</summary>
    public NodeSchema Schema => _schema;

    private ValidationClass? FindClass(string classType) =>
        _classes.TryGetValue(classType, out var cls) ? cls
        : _schema.Definitions.TryGetValue(classType, out var definition) ? _classes.GetOrAdd(classType, _ => ValidationClass.From(definition))
        : null;
}
