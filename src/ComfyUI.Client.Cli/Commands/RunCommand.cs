using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>comfyui run workflow.json [--set NODE.INPUT=VALUE]… [--out DIR] [--timeout T]</c>; with several <c>--server</c>, on a pool.</summary>
internal static class RunCommand
{
    public static void Add(RootCommand root)
    {
        var workflowArgument = new Argument<FileInfo>("workflow")
        {
            Description = "An API-format workflow, a UI workflow (converted with the server's /object_info) or a PNG/WebP that ComfyUI wrote",
        };
        var set = new Option<string[]>("--set") { Description = "Set an input: NODE.INPUT=VALUE (NODE is an id or a title); repeatable", AllowMultipleArgumentsPerToken = false };
        var outDir = new Option<string>("--out") { Description = "Where to save the outputs", DefaultValueFactory = _ => "output" };
        var timeout = new Option<string?>("--timeout") { Description = "Cancel the run after this long (seconds, or hh:mm:ss)" };
        var preview = new Option<string?>("--preview-method") { Description = "auto, latent2rgb, taesd or none", DefaultValueFactory = _ => "auto" };
        var command = new Command("run", "Run a workflow: progress per node, outputs downloaded; Ctrl+C cancels only this prompt")
        {
            workflowArgument, set, outDir, timeout, preview,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = CliApp.Output(result);
            try
            {
                var file = result.GetValue(workflowArgument)!;
                if (!file.Exists)
                {
                    throw new CliUsageException($"The workflow file '{file.FullName}' does not exist.");
                }

                var limit = ParseTimeout(result.GetValue(timeout));

                // Several --server: a pool, which sends the prompt to a server that can run it (PoolCommands); one: a client.
                var pool = CliApp.ServerAddresses(result).Length > 1 ? PoolCommands.CreatePool(result) : null;
                await using var pooled = pool;
                await using var single = pool is null ? CliApp.CreateClient(result) : null;
                var client = single ?? pool!.GetClient(pool.Servers[0].Name);

                // A UI workflow (or an image's) is converted with the server's schema (with a pool, the first server's); widgets an old workflow
                // lacks get their defaults so the server accepts the prompt.
                var load = new WorkflowLoadOptions { Conversion = new WorkflowConversionOptions { FillMissingWidgetValues = true } };
                var workflow = await Workflow.LoadAsync(file.FullName, client, load, cancellationToken).ConfigureAwait(false);
                foreach (var diagnostic in workflow.ConversionDiagnostics)
                {
                    output.Error.WriteLine(diagnostic.ToString());
                }

                foreach (var assignment in result.GetValue(set) ?? [])
                {
                    SetAssignment.Apply(workflow, assignment);
                }

                Func<PromptOptions, CancellationToken, Task<PromptRun>> submit = pool is null
                    ? (options, token) => client.SubmitAsync(workflow, options, token)
                    : (options, token) => pool.SubmitAsync(workflow, options, token);
                return await RunAsync(submit, workflow, result.GetValue(outDir)!, result.GetValue(preview), limit, output, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return CliApp.Fail(output, ex);
            }
        });
        root.Add(command);
    }

    private static TimeSpan? ParseTimeout(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        throw new CliUsageException($"--timeout '{text}' is not a positive number of seconds or hh:mm:ss.");
    }

    private static async Task<int> RunAsync(Func<PromptOptions, CancellationToken, Task<PromptRun>> submit, Workflow workflow, string outDir, string? previewMethod, TimeSpan? limit, CliOutput output, CancellationToken cancellationToken)
    {
        // The run's token: Ctrl+C or the timeout cancel this prompt (and only it) on the server.
        using var runToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit is { } time)
        {
            runToken.CancelAfter(time);
        }

        // Like the editor, send a converted workflow's UI form along: SaveImage embeds it in the images it writes.
        var extra = workflow.UiWorkflow is { } ui ? new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = ui } } : null;
        var options = new PromptOptions { PreviewMethod = previewMethod, DownloadOutputsTo = outDir, ExtraData = extra };
        var run = await submit(options, runToken.Token).ConfigureAwait(false);
        await using (run.ConfigureAwait(false))
        {
            output.Line($"queued {run.PromptId}");
            await foreach (var e in run.ReadEventsAsync(CancellationToken.None).ConfigureAwait(false))
            {
                Report(e, workflow, output);
            }

            var result = await run.Completion.ConfigureAwait(false);
            var timedOut = limit is not null && runToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            WriteResult(result, timedOut, output);
            return ExitCodes.For(result.Status);
        }
    }

    private static string Name(string nodeId, Workflow workflow) =>
        workflow.TryGetNode(nodeId, out var node) ? $"{nodeId} ({node.Title ?? node.ClassType})" : nodeId;

    private static void Report(PromptEvent e, Workflow workflow, CliOutput output)
    {
        switch (e)
        {
            case PromptQueuedEvent queued:
                output.Object(w =>
                {
                    Head(w, "queued", e);
                    WriteNumberOrNull(w, "position", queued.Position);
                });
                break;
            case PromptStartedEvent:
                output.Object(w => Head(w, "started", e));
                output.Line("started");
                break;
            case PromptNodesCachedEvent cached:
                output.Object(w =>
                {
                    Head(w, "cached", e);
                    CliOutput.WriteStrings(w, "nodes", cached.NodeIds);
                });
                if (cached.NodeIds.Count > 0)
                {
                    output.Line("cached: " + string.Join(", ", cached.NodeIds.Select(id => Name(id, workflow))));
                }

                break;
            case PromptNodeExecutingEvent executing:
                output.Object(w =>
                {
                    Head(w, "executing", e);
                    w.WriteString("node", executing.NodeId);
                });
                output.Line("running " + Name(executing.NodeId, workflow));
                break;
            case PromptProgressEvent progress:
                output.Object(w =>
                {
                    Head(w, "progress", e);
                    w.WriteString("node", progress.NodeId);
                    w.WriteNumber("value", progress.Value);
                    w.WriteNumber("max", progress.Max);
                });
                output.Line($"  {(progress.NodeId is null ? "" : Name(progress.NodeId, workflow) + " ")}{progress.Value}/{progress.Max} {Bar(progress.Fraction)}");
                break;
            case PromptPreviewEvent preview:
                output.Object(w =>
                {
                    Head(w, "preview", e);
                    w.WriteString("node", preview.NodeId);
                    w.WriteString("mime_type", preview.MimeType);
                    w.WriteNumber("bytes", preview.Image.Length);
                });
                break;
            case PromptProgressTextEvent text:
                output.Object(w =>
                {
                    Head(w, "progress_text", e);
                    w.WriteString("node", text.NodeId);
                    w.WriteString("text", text.Text);
                });
                output.Line($"  {Name(text.NodeId, workflow)}: {text.Text}");
                break;
            case PromptNodeOutputEvent nodeOutput:
                output.Object(w =>
                {
                    Head(w, "output", e);
                    w.WriteString("node", nodeOutput.NodeId);
                    CliOutput.WriteObject(w, "output", nodeOutput.Output.Raw);
                });
                output.Line("output of " + Name(nodeOutput.NodeId, workflow));
                break;
            case PromptRoutedEvent routed:
                output.Object(w =>
                {
                    Head(w, "routed", e);
                    w.WriteString("server", routed.ServerName);
                    w.WriteString("address", routed.Server.ToString());
                    w.WriteNumber("attempt", routed.Attempt);
                    w.WriteString("reason", routed.Reason);
                });
                output.Line($"routed to {routed.ServerName} ({routed.Server}){(routed.Attempt > 1 ? $", attempt {routed.Attempt}" : "")}{(routed.Reason is { } why ? ": " + why : "")}");
                break;
            case PromptReconciledEvent reconciled:
                output.Object(w =>
                {
                    Head(w, "reconciled", e);
                    w.WriteString("reason", reconciled.Reason);
                    w.WriteString("state", State(reconciled.Status));
                });
                break;
        }
    }

    private static string Bar(double fraction)
    {
        var filled = (int)Math.Round(fraction * 20);
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }

    private static void Head(Utf8JsonWriter w, string type, PromptEvent e)
    {
        w.WriteString("type", type);
        w.WriteString("prompt_id", e.PromptId);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } number)
        {
            w.WriteNumber(name, number);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    internal static string State(PromptStatus status) => status.ToString().ToLowerInvariant();

    private static string Kind(OutputKind kind) => kind switch
    {
        OutputKind.Image => "image",
        OutputKind.Video => "video",
        OutputKind.Audio => "audio",
        _ => "file",
    };

    private static void WriteResult(PromptResult result, bool timedOut, CliOutput output)
    {
        var saved = result.SavedFiles.ToDictionary(s => (s.NodeId, s.File.Filename, s.File.Subfolder, s.File.Type), s => s.Path);
        output.Object(w =>
        {
            w.WriteString("type", "result");
            w.WriteString("state", State(result.Status));
            w.WriteString("prompt_id", result.PromptId);
            w.WriteStartArray("outputs");
            foreach (var (node, nodeOutput) in result.Outputs)
            {
                foreach (var file in nodeOutput.AllFiles)
                {
                    w.WriteStartObject();
                    w.WriteString("node", node);
                    w.WriteString("kind", Kind(file.Kind));
                    w.WriteString("filename", file.Filename);
                    w.WriteString("subfolder", file.Subfolder);
                    w.WriteString("type", file.Type);
                    w.WriteString("saved_to", saved.TryGetValue((node, file.Filename, file.Subfolder, file.Type), out var path) ? path : null);
                    w.WriteEndObject();
                }

                foreach (var text in nodeOutput.Text)
                {
                    w.WriteStartObject();
                    w.WriteString("node", node);
                    w.WriteString("kind", "text");
                    w.WriteString("text", text);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            if (result.Error is { } error)
            {
                w.WriteStartObject("error");
                w.WriteString("node_id", error.NodeId);
                w.WriteString("node_type", error.NodeType);
                w.WriteString("exception_type", error.ExceptionType);
                w.WriteString("exception_message", error.ExceptionMessage);
                CliOutput.WriteStrings(w, "traceback", error.Traceback);
                w.WriteEndObject();
            }
            else if (result.Status != PromptStatus.Succeeded)
            {
                w.WriteStartObject("error");
                w.WriteString("message", timedOut ? "timed out: " + result.Reason : result.Reason);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("error");
            }
        });

        switch (result.Status)
        {
            case PromptStatus.Succeeded:
                output.Line($"succeeded: {result.PromptId}");
                foreach (var file in result.SavedFiles)
                {
                    output.Line($"  saved {file.Path}");
                }

                foreach (var text in result.Texts)
                {
                    output.Line($"  text: {text}");
                }

                break;
            case PromptStatus.Failed:
                output.Fail($"prompt {result.PromptId} failed: {result.Error?.ToString() ?? result.Reason}");
                break;
            default:
                output.Fail($"prompt {result.PromptId} {State(result.Status)}{(timedOut ? " (timed out)" : "")}: {result.Reason}");
                break;
        }
    }
}
