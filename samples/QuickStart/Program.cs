// QuickStart: run a ComfyUI workflow end to end — submit, follow its progress node by node, save its images.
//
//   dotnet run --project samples/QuickStart                               embedded fake server (no ComfyUI needed)
//   COMFYUI_URL=http://127.0.0.1:8188 dotnet run --project samples/QuickStart   a real ComfyUI
//   dotnet run --project samples/QuickStart -- --server URL --workflow my_workflow_api.json --out DIR
using ComfyUI.Client;
using ComfyUI.Client.Testing;
using Spectre.Console;

string? server = Environment.GetEnvironmentVariable("COMFYUI_URL");
string? workflowPath = null;
var outputFolder = "output";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--server" when i + 1 < args.Length:
            server = args[++i];
            break;
        case "--workflow" when i + 1 < args.Length:
            workflowPath = args[++i];
            break;
        case "--out" when i + 1 < args.Length:
            outputFolder = args[++i];
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: QuickStart [--server URL] [--workflow file.json] [--out DIR]");
            return 2;
    }
}

await using var fake = string.IsNullOrWhiteSpace(server) ? await FakeComfyUIServer.StartAsync() : null;
var baseAddress = fake?.BaseAddress ?? new Uri(server!);
if (fake is null)
{
    AnsiConsole.MarkupLineInterpolated($"[bold]ComfyUI[/] at {baseAddress}");
}
else
{
    AnsiConsole.MarkupLineInterpolated($"[bold]No server given[/] (--server or COMFYUI_URL): started the embedded [green]FakeComfyUIServer[/] at {baseAddress}");
}

await using var client = new ComfyUIClient(baseAddress);
try
{
    await client.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
}
catch (ComfyUIException ex)
{
    AnsiConsole.MarkupLineInterpolated($"[red]The server is not reachable:[/] {ex.Message}");
    return 5;
}

Workflow workflow;
try
{
    workflow = workflowPath is null ? DefaultWorkflow() : await Workflow.LoadAsync(workflowPath);
}
catch (Exception ex) when (ex is FormatException or IOException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]Cannot use the workflow:[/] {ex.Message}");
    return 2;
}

AnsiConsole.MarkupLineInterpolated($"Running {(workflowPath ?? "the default workflow (EmptyImage → ImageInvert → SaveImage)")} with {workflow.Count} nodes…");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel(); // cancels this prompt only: removed from the queue or interrupted by id
};

PromptRun run;
try
{
    run = await client.SubmitAsync(workflow, new PromptOptions { PreviewMethod = "auto", DownloadOutputsTo = outputFolder }, cancel.Token);
}
catch (ComfyUIPromptValidationException ex)
{
    AnsiConsole.MarkupLineInterpolated($"[red]The server rejected the workflow:[/] {ex.Message}");
    return 1;
}

await using (run)
{
    if (Console.IsOutputRedirected)
    {
        await foreach (var e in run.ReadEventsAsync())
        {
            var line = Describe(e, workflow);
            if (line is not null)
            {
                Console.WriteLine(line);
            }
        }
    }
    else
    {
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                ProgressTask TaskFor(string nodeId) =>
                    tasks.TryGetValue(nodeId, out var task) ? task : tasks[nodeId] = progress.AddTask(NodeName(nodeId, workflow), maxValue: 1);
                await foreach (var e in run.ReadEventsAsync())
                {
                    switch (e)
                    {
                        case PromptNodesCachedEvent cached:
                            foreach (var id in cached.NodeIds)
                            {
                                var task = TaskFor(id);
                                task.Description = NodeName(id, workflow) + " (cached)";
                                task.Value = task.MaxValue;
                            }

                            break;
                        case PromptNodeExecutingEvent executing:
                            foreach (var other in tasks.Values)
                            {
                                other.Value = other.MaxValue; // the previous node finished
                            }

                            TaskFor(executing.NodeId).IsIndeterminate = true;
                            break;
                        case PromptProgressEvent { NodeId: { } node } step:
                            var bar = TaskFor(node);
                            bar.IsIndeterminate = false;
                            bar.MaxValue = step.Max;
                            bar.Value = step.Value;
                            break;
                        case PromptNodeOutputEvent output:
                            var done = TaskFor(output.NodeId);
                            done.IsIndeterminate = false;
                            done.Value = done.MaxValue;
                            break;
                        case PromptFinishedEvent:
                            foreach (var task in tasks.Values)
                            {
                                task.IsIndeterminate = false;
                                task.Value = task.MaxValue;
                            }

                            break;
                    }
                }
            });
    }

    var result = await run.Completion;
    switch (result.Status)
    {
        case PromptStatus.Succeeded:
            AnsiConsole.MarkupLineInterpolated($"[green]Succeeded[/]: prompt {result.PromptId}, {result.SavedFiles.Count} file(s) saved to {Path.GetFullPath(outputFolder)}");
            foreach (var saved in result.SavedFiles)
            {
                AnsiConsole.MarkupLineInterpolated($"  node {saved.NodeId}: {saved.Path}");
            }

            foreach (var text in result.Texts)
            {
                AnsiConsole.MarkupLineInterpolated($"  text: {text}");
            }

            return 0;
        case PromptStatus.Failed:
            AnsiConsole.MarkupLineInterpolated($"[red]Failed[/]: {result.Error?.ToString() ?? result.Reason}");
            return 1;
        case PromptStatus.Cancelled or PromptStatus.Interrupted:
            AnsiConsole.MarkupLineInterpolated($"[yellow]{result.Status}[/]: {result.Reason}");
            return 3;
        default:
            AnsiConsole.MarkupLineInterpolated($"[red]{result.Status}[/]: {result.Reason}");
            return 4;
    }
}

// Model-free core nodes, so it runs on any ComfyUI (and on the fake server): a blue square, inverted to yellow, saved as
// QuickStart_00001_.png. Downloads never replace a file: the next run's image is QuickStart_00002_.png in ./output, and so on.
static Workflow DefaultWorkflow() => new WorkflowBuilder()
    .Add("EmptyImage", out var image, n => n.SetTitle("Blue square").Set("width", 256).Set("height", 256).Set("batch_size", 1).Set("color", 0x2050F0))
    .Add("ImageInvert", out var inverted, n => n.SetTitle("Invert").SetLink("image", image, 0))
    .Add("SaveImage", n => n.SetTitle("Save").SetLink("images", inverted, 0).Set("filename_prefix", "QuickStart"))
    .Build();

static string NodeName(string nodeId, Workflow workflow) =>
    workflow.TryGetNode(nodeId, out var node) ? $"{nodeId} {node!.Title ?? node.ClassType}" : $"node {nodeId}";

static string? Describe(PromptEvent e, Workflow workflow) => e switch
{
    PromptQueuedEvent queued => $"queued {queued.PromptId}",
    PromptStartedEvent => "started",
    PromptNodesCachedEvent { NodeIds.Count: > 0 } cached => "cached: " + string.Join(", ", cached.NodeIds.Select(id => NodeName(id, workflow))),
    PromptNodeExecutingEvent executing => "running " + NodeName(executing.NodeId, workflow),
    PromptProgressEvent progress => $"  {progress.NodeId} {progress.Value}/{progress.Max}",
    PromptNodeOutputEvent output => $"output of {NodeName(output.NodeId, workflow)}",
    _ => null,
};
