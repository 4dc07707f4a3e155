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
        var promptArgument = new Argument<string>("prompt") { Description = "An API-format prompt or POST /prompt body (a file, or - for standard input)" };
        var objectInfo = new Option<FileInfo?>("--object-info") { Description = "A saved /object_info of the server (instead of asking --server)" };
        var command = new Command("validate", "Validate a prompt offline and print the server's own verdict (--json: the body POST /prompt would answer)")
        {
            promptArgument, objectInfo,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = CliApp.Output(result);
            try
            {
                var text = await ReadPromptAsync(result.GetValue(promptArgument)!, cancellationToken).ConfigureAwait(false);
                var validator = await CreateValidatorAsync(result, result.GetValue(objectInfo), cancellationToken).ConfigureAwait(false);
                var verdict = validator.ValidateJson(text);
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

    private static async Task<string> ReadPromptAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        if (path == "-")
        {
            text = await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!File.Exists(path))
        {
            throw new CliUsageException($"The prompt file '{Path.GetFullPath(path)}' does not exist.");
        }
        else
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            if (IsImage(bytes))
            {
                throw new CliUsageException($"'{path}' is an image. validate reads API-format JSON: export the workflow with \"Export (API)\" in ComfyUI.");
            }

            text = Encoding.UTF8.GetString(bytes.AsSpan().StartsWith("\xEF\xBB\xBF"u8) ? bytes.AsSpan(3) : bytes);
        }

        if (LooksLikeUiWorkflow(text))
        {
            throw new CliUsageException(
                "This is a UI (editor) format workflow (top-level \"nodes\" and \"links\"). validate reads the API format that POST /prompt runs: " +
                "export it with \"Export (API)\" in ComfyUI's workflow menu.");
        }

        return text;
    }

    // PNG, JPEG, WebP (RIFF) signatures.
    private static bool IsImage(byte[] b) =>
        (b.Length >= 4 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
        || (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        || (b.Length >= 4 && b[0] == (byte)'R' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'F');

    private static bool LooksLikeUiWorkflow(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            var root = document.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == System.Text.Json.JsonValueKind.Array
                && root.TryGetProperty("links", out var links) && links.ValueKind == System.Text.Json.JsonValueKind.Array;
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // not standard JSON (NaN, …): the validator reads it as the server does, or says where it is wrong
        }
    }

    private static async Task<PromptValidator> CreateValidatorAsync(ParseResult result, FileInfo? objectInfo, CancellationToken cancellationToken)
    {
        if (objectInfo is not null)
        {
            if (result.GetValue(CliApp.Server) is not null)
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
