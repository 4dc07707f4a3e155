using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Cli.Commands;

/// <summary>
/// <c>comfyui convert INPUT [--object-info FILE | --server URL] [-o OUT] [--from workflow|prompt]</c>: a UI workflow, an API prompt or a
/// ComfyUI PNG/WebP → the API prompt (nodes in ascending id order). Diagnostics on stderr; exit 0 converted, 1 not convertible, 2 usage.
/// </summary>
internal static class ConvertCommand
{
    public static void Add(RootCommand root)
    {
        var input = new Argument<FileInfo>("input") { Description = "A UI workflow (JSON the editor saves), an API prompt, or a PNG/WebP that ComfyUI wrote" };
        var objectInfo = new Option<FileInfo?>("--object-info") { Description = "A saved GET /object_info answer to convert with, instead of asking the server" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the prompt to this file instead of stdout" };
        var from = new Option<string>("--from") { Description = "For an image: convert its 'workflow' or take its 'prompt'", DefaultValueFactory = _ => "workflow" };
        from.AcceptOnlyFromAmong("workflow", "prompt");
        var fill = new Option<bool>("--fill-missing-widgets")
        {
            Description = "Give widgets an old workflow has no value for their defaults (as the current editor does) instead of leaving them out",
        };
        var command = new Command("convert", "Convert a UI workflow or a ComfyUI image to the API prompt that POST /prompt runs, as the editor does")
        {
            input, objectInfo, output, from, fill,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var cli = CliApp.Output(result);
            try
            {
                var file = result.GetValue(input)!;
                if (!file.Exists)
                {
                    throw new CliUsageException($"The input file '{file.FullName}' does not exist.");
                }

                var schemaFile = result.GetValue(objectInfo);
                if (schemaFile is not null && CliApp.HasServer(result))
                {
                    throw new CliUsageException("Give either --object-info or --server, not both.");
                }

                if (schemaFile is { Exists: false })
                {
                    throw new CliUsageException($"The object_info file '{schemaFile.FullName}' does not exist.");
                }

                var options = new WorkflowLoadOptions
                {
                    ImagePart = result.GetValue(from) == "prompt" ? WorkflowImagePart.Prompt : WorkflowImagePart.Workflow,
                    Conversion = new WorkflowConversionOptions { FillMissingWidgetValues = result.GetValue(fill) },
                };

                Workflow workflow;
                try
                {
                    workflow = await LoadAsync(result, file, schemaFile, options, cancellationToken).ConfigureAwait(false);
                }
                catch (WorkflowConversionException ex)
                {
                    foreach (var diagnostic in ex.Diagnostics)
                    {
                        cli.Error.WriteLine(diagnostic.ToString());
                    }

                    cli.Fail($"{file.Name} cannot be converted ({ex.Diagnostics.Count(d => d.Severity == WorkflowDiagnosticSeverity.Error)} error(s)).");
                    return ExitCodes.NotConvertible;
                }
                catch (FormatException ex)
                {
                    cli.Fail(ex.Message);
                    return ExitCodes.NotConvertible;
                }

                foreach (var diagnostic in workflow.ConversionDiagnostics)
                {
                    cli.Error.WriteLine(diagnostic.ToString());
                }

                var json = SortedJson(workflow);
                if (result.GetValue(output) is { } outFile)
                {
                    await File.WriteAllTextAsync(outFile.FullName, json + Environment.NewLine, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
                    cli.Error.WriteLine($"{Describe(workflow.SourceFormat)} → {outFile.FullName} ({workflow.Count} nodes)");
                }
                else
                {
                    cli.Out.WriteLine(json);
                }

                return ExitCodes.Success;
            }
            catch (Exception ex)
            {
                return CliApp.Fail(cli, ex);
            }
        });
        root.Add(command);
    }

    /// <summary>Loads the input, reading a schema (the file, or the server's) only when a UI workflow has to be converted.</summary>
    internal static async Task<Workflow> LoadAsync(ParseResult result, FileInfo file, FileInfo? schemaFile, WorkflowLoadOptions options, CancellationToken cancellationToken)
    {
        if (schemaFile is not null)
        {
            NodeSchema schema;
            try
            {
                schema = await NodeSchema.LoadAsync(schemaFile.FullName, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                throw new CliUsageException(ex.Message);
            }

            return await Workflow.LoadAsync(file.FullName, schema, options, cancellationToken).ConfigureAwait(false);
        }

        await using var client = CliApp.CreateClient(result);
        return await Workflow.LoadAsync(file.FullName, client, options, cancellationToken).ConfigureAwait(false);
    }

    internal static string Describe(WorkflowSourceFormat format) => format switch
    {
        WorkflowSourceFormat.UiWorkflow => "UI workflow converted",
        WorkflowSourceFormat.ImageWorkflow => "image workflow converted",
        WorkflowSourceFormat.ImagePrompt => "image prompt",
        _ => "API prompt",
    };

    /// <summary>The prompt as indented JSON with its nodes in ascending id order (numbers as numbers, segment by segment: 2, 10, 10:3).</summary>
    internal static string SortedJson(Workflow workflow)
    {
        var prompt = workflow.ToJsonObject();
        var sorted = new JsonObject();
        foreach (var id in prompt.Select(p => p.Key).Order(Workflow.NodeIdComparer).ToList())
        {
            var node = prompt[id];
            prompt.Remove(id);
            sorted[id] = node;
        }

        return sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
