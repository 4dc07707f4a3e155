using System.CommandLine;
using System.Net;
using System.Text;

namespace ComfyUI.Client.Cli.Commands;

/// <summary>
/// <c>comfyui validate PROMPT [--object-info FILE | --server URL] [--json]</c>: the server's verdict on a prompt, found offline
/// (<see cref="PromptValidator"/>). Exit 0 valid, 1 invalid, 2 usage.
/// </summary>
internal static class ValidateCommand
{
    public static void Add(RootCommand root)
    {
        var promptArgument = new Argument<string>("prompt")
        {
            Description = "An API prompt (or POST /prompt body), a UI workflow, or a PNG/WebP that ComfyUI wrote; a file, or - for standard input",
        };
        var objectInfo = new Option<FileInfo?>("--object-info") { Description = "A saved /object_info of the server (instead of asking --server)" };
        var from = new Option<string>("--from") { Description = "For an image: validate its converted 'workflow' or its 'prompt'", DefaultValueFactory = _ => "workflow" };
        from.AcceptOnlyFromAmong("workflow", "prompt");
        var command = new Command("validate", "Validate a prompt offline and print the server's own verdict (--json: the body POST /prompt would answer)")
        {
            promptArgument, objectInfo, from,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = CliApp.Output(result);
            try
            {
                var input = await ReadInputAsync(result.GetValue(promptArgument)!, cancellationToken).ConfigureAwait(false);
                var validator = await CreateValidatorAsync(result, result.GetValue(objectInfo), cancellationToken).ConfigureAwait(false);
                PromptValidationResult verdict;
                if (input.IsApiJson)
                {
                    // Read as the server reads it: malformed prompts too.
                    verdict = validator.ValidateJson(Encoding.UTF8.GetString(input.Bytes));
                }
                else
                {
                    var options = new WorkflowLoadOptions
                    {
                        ImagePart = result.GetValue(from) == "prompt" ? WorkflowImagePart.Prompt : WorkflowImagePart.Workflow,
                        Conversion = new WorkflowConversionOptions { FillMissingWidgetValues = true },
                    };
                    Workflow workflow;
                    try
                    {
                        workflow = await Workflow.LoadAsync(new MemoryStream(input.Bytes), validator.Schema, options, cancellationToken).ConfigureAwait(false);
                    }
                    catch (WorkflowConversionException ex)
                    {
                        foreach (var diagnostic in ex.Diagnostics)
                        {
                            output.Error.WriteLine(diagnostic.ToString());
                        }

                        var message = $"{input.Name} cannot be converted to a prompt ({ex.Diagnostics.Count(d => d.Severity == WorkflowDiagnosticSeverity.Error)} error(s)), so there is nothing to validate.";
                        output.Object(w =>
                        {
                            w.WriteString("type", "error");
                            w.WriteString("message", message);
                            w.WriteNumber("exit_code", ExitCodes.NotConvertible);
                        });
                        output.Fail(message);
                        return ExitCodes.NotConvertible;
                    }

                    foreach (var diagnostic in workflow.ConversionDiagnostics)
                    {
                        output.Error.WriteLine(diagnostic.ToString());
                    }

                    verdict = validator.Validate(workflow);
                }

                Print(output, verdict);
                return verdict.IsValid ? ExitCodes.Success : ExitCodes.RunFailed;
            }
            catch (Exception ex)
            {
                return CliApp.Fail(output, ex);
            }
        });
        root.Add(command);
    }

    /// <summary>The input's bytes (a byte order mark removed), and whether they are API JSON rather than a UI workflow or an image.</summary>
    private sealed record Input(string Name, byte[] Bytes, bool IsApiJson);

    private static async Task<Input> ReadInputAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (path == "-")
        {
            using var buffer = new MemoryStream();
            await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        else if (!File.Exists(path))
        {
            throw new CliUsageException($"The prompt file '{Path.GetFullPath(path)}' does not exist.");
        }
        else
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }

        if (bytes.AsSpan().StartsWith("\xEF\xBB\xBF"u8))
        {
            bytes = bytes[3..];
        }

        var name = path == "-" ? "standard input" : Path.GetFileName(path);
        return new Input(name, bytes, !IsImage(bytes) && !LooksLikeUiWorkflow(bytes));
    }

    // PNG, JPEG, WebP (RIFF) signatures.
    private static bool IsImage(byte[] b) =>
        (b.Length >= 4 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
        || (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        || (b.Length >= 4 && b[0] == (byte)'R' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'F');

    private static bool LooksLikeUiWorkflow(byte[] bytes)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == System.Text.Json.JsonValueKind.Array;
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // not standard JSON (NaN, …): an API prompt the validator reads as the server does, or says where it is wrong
        }
    }

    private static async Task<PromptValidator> CreateValidatorAsync(ParseResult result, FileInfo? objectInfo, CancellationToken cancellationToken)
    {
        if (objectInfo is not null)
        {
            if (CliApp.HasServer(result))
            {
                throw new CliUsageException("Give either --object-info or --server, not both.");
            }

            if (!objectInfo.Exists)
            {
                throw new CliUsageException($"The /object_info file '{objectInfo.FullName}' does not exist.");
            }

            // A saved /object_info does not carry the server's node replacements: those of ComfyUI 0.33.0 apply.
            return new PromptValidator(await NodeSchema.LoadAsync(objectInfo.FullName, cancellationToken).ConfigureAwait(false));
        }

        await using var client = CliApp.CreateClient(result);
        return await client.GetPromptValidatorAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static void Print(CliOutput output, PromptValidationResult verdict)
    {
        if (output.Json)
        {
            output.Out.WriteLine(verdict.ToJson());
        }
        else if (verdict.IsValid)
        {
            output.Line($"valid: the server would run output node{(verdict.OutputsToExecute.Count == 1 ? "" : "s")} {string.Join(", ", verdict.OutputsToExecute)}");
            if (verdict.FailedOutputs.Count > 0)
            {
                output.Line($"dropped output node{(verdict.FailedOutputs.Count == 1 ? "" : "s")} {string.Join(", ", verdict.FailedOutputs)}, which failed validation:");
            }
        }
        else if (verdict.StatusCode == HttpStatusCode.InternalServerError)
        {
            output.Line($"invalid: the server would fail on this prompt with HTTP 500 ({verdict.Error!.Details})");
        }
        else
        {
            var error = verdict.Error!;
            output.Line($"invalid: [{error.Type}] {error.Message}");
            if (error.NodeErrors.Count == 0 && !string.IsNullOrEmpty(error.Details))
            {
                output.Line("  " + error.Details);
            }
        }

        if (!output.Json)
        {
            foreach (var (nodeId, node) in verdict.NodeErrors)
            {
                output.Line($"  node {nodeId} ({node.ClassType}), needed by output {string.Join(", ", node.DependentOutputs)}:");
                foreach (var detail in node.Errors)
                {
                    output.Line($"    {detail.Type}: {detail.Message}{(string.IsNullOrEmpty(detail.Details) ? "" : ": " + detail.Details)}");
                }
            }
        }

        foreach (var notice in verdict.Notices)
        {
            output.Error.WriteLine("note: " + notice);
        }
    }
}
