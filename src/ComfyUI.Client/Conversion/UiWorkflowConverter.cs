using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Conversion;

namespace ComfyUI.Client;

/// <summary>Options of a UI-workflow conversion.</summary>
public sealed class WorkflowConversionOptions
{
    /// <summary>
    /// Drops nodes whose type the schema does not have (with a warning) instead of failing. The editor would send them and the server would
    /// reject the prompt, so this is off by default.
    /// </summary>
    public bool SkipUnknownNodes { get; init; }

    /// <summary>
    /// What to send for widgets a saved workflow has no value for (it was saved before the node gained them): <see langword="false"/>
    /// (default) leaves them out, reproducing the prompt the editor that saved the workflow sent; <see langword="true"/> sends their default
    /// values, as the current editor does after loading the workflow, so the server does not reject missing required inputs. Either way a
    /// <c>widget-count</c> warning names them.
    /// </summary>
    public bool FillMissingWidgetValues { get; init; }

    /// <summary>
    /// Picks the choices of dynamic prompts (<c>{a|b|c}</c> in widgets marked <c>dynamicPrompts</c>) as the editor does at random;
    /// set a seeded <see cref="Random"/> for repeatable conversions. <see langword="null"/>: <see cref="Random.Shared"/>.
    /// </summary>
    public Random? Random { get; init; }
}

/// <summary>The outcome of a conversion: the prompt (unless an error stopped it) and every diagnostic.</summary>
public sealed class WorkflowConversionResult
{
    /// <summary>The API-format prompt, or <see langword="null"/> when <see cref="Diagnostics"/> has errors.</summary>
    public Workflow? Workflow { get; init; }

    /// <summary>The warnings and errors, each naming its node.</summary>
    public IReadOnlyList<WorkflowDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>Whether the conversion succeeded (no errors).</summary>
    public bool Succeeded => Workflow is not null;
}

/// <summary>
/// Converts a workflow in the editor's format (what ComfyUI saves: <c>nodes</c>, <c>links</c>, <c>widgets_values</c>, subgraphs, group
/// nodes) into the API format that <c>POST /prompt</c> runs, exactly as the official frontend does when it queues the workflow, using the
/// server's <see cref="NodeSchema"/> to map widget values to inputs.
/// </summary>
/// <example>
/// <code>
/// NodeSchema schema = await client.Discovery.GetNodeSchemaAsync(cancellationToken);
/// WorkflowConversionResult result = UiWorkflowConverter.Convert(File.ReadAllText("my workflow.json"), schema);
/// foreach (WorkflowDiagnostic d in result.Diagnostics) Console.Error.WriteLine(d);
/// Workflow prompt = result.Workflow ?? throw new InvalidOperationException("not convertible");
/// </code>
/// </example>
public static class UiWorkflowConverter
{
    /// <summary>Converts a UI workflow given as JSON text.</summary>
    /// <param name="uiWorkflowJson">The workflow as the editor saves it.</param>
    /// <param name="schema">The server's node schema.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <returns>The prompt and the diagnostics.</returns>
    /// <exception cref="FormatException">The text is not JSON or not a UI workflow.</exception>
    public static WorkflowConversionResult Convert(string uiWorkflowJson, NodeSchema schema, WorkflowConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uiWorkflowJson);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(uiWorkflowJson);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The workflow is not valid JSON: {ex.Message}", ex);
        }

        return root is JsonObject workflow
            ? Convert(workflow, schema, options)
            : throw new FormatException($"A UI workflow must be a JSON object with \"nodes\" and \"links\", but the JSON is {Workflow.Describe(root)}.");
    }

    /// <summary>Converts a UI workflow given as a JSON object (not changed).</summary>
    /// <param name="uiWorkflow">The workflow as the editor saves it.</param>
    /// <param name="schema">The server's node schema.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <returns>The prompt and the diagnostics.</returns>
    /// <exception cref="FormatException">The object is not a UI workflow.</exception>
    public static WorkflowConversionResult Convert(JsonObject uiWorkflow, NodeSchema schema, WorkflowConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uiWorkflow);
        ArgumentNullException.ThrowIfNull(schema);
        if (!UiWorkflowReader.IsUiWorkflow(uiWorkflow))
        {
            throw new FormatException("A UI workflow has a top-level \"nodes\" array (the format the editor saves); this JSON has none.");
        }

        var run = new ConversionRun(uiWorkflow, UiWorkflowReader.Read(uiWorkflow), schema, options ?? new WorkflowConversionOptions());
        return run.Execute();
    }

    /// <summary>Converts, throwing when the workflow cannot be converted.</summary>
    internal static Workflow ConvertOrThrow(JsonObject uiWorkflow, NodeSchema schema, WorkflowConversionOptions? options)
    {
        var result = Convert(uiWorkflow, schema, options);
        if (result.Workflow is { } workflow)
        {
            return workflow;
        }

        var errors = result.Diagnostics.Where(d => d.Severity == WorkflowDiagnosticSeverity.Error).ToList();
        var shown = string.Join(Environment.NewLine, errors.Take(10).Select(d => "  " + d));
        var more = errors.Count > 10 ? $"{Environment.NewLine}  … and {errors.Count - 10} more" : "";
        throw new WorkflowConversionException($"The UI workflow cannot be converted to an API prompt ({errors.Count} error(s)):{Environment.NewLine}{shown}{more}", result.Diagnostics);
    }
}
