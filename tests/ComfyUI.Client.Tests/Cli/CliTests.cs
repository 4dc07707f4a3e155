using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ComfyUI.Client.Cli;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Cli;

/// <summary>The <c>comfyui</c> command, run in-process against the fake server: parsing, --set typing, --json shapes, exit codes, Ctrl+C.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Task<CliResult> RunCli(CancellationToken cancellationToken, params string[] args) =>
        CliHarness.RunAsync(args, cancellationToken: cancellationToken);

    private string WriteWorkflow(Workflow workflow)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, workflow.ToJson());
        return path;
    }

    private static Workflow TextWorkflow(string text, int seed) => new WorkflowBuilder()
        .Add("SdkTestTextOutput", n => n.SetTitle("Say").Set("text", text).Set("seed", seed))
        .Build();

    [Fact]
    public async Task Run_json_prints_one_event_per_line_and_a_result_line_with_saved_outputs()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var workflow = new WorkflowBuilder()
            .Add("EmptyImage", out var image, n => n.Set("width", 8).Set("height", 8).Set("batch_size", 1).Set("color", 0))
            .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "cli/test"))
            .Build();
        var outDir = Path.Combine(_folder, "out");

        var result = await RunCli(Ct, "run", WriteWorkflow(workflow), "--server", server.BaseAddress.ToString(), "--out", outDir, "--json");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Lines;
        Assert.All(lines, line => Assert.True(line.TryGetProperty("type", out _)));
        Assert.Equal("queued", lines[0].GetProperty("type").GetString());
        Assert.Contains(lines, l => l.GetProperty("type").GetString() == "executing" && l.GetProperty("node").GetString() == "2");
        var final = lines[^1];
        Assert.Equal("result", final.GetProperty("type").GetString());
        Assert.Equal("succeeded", final.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, final.GetProperty("error").ValueKind);
        var output = Assert.Single(final.GetProperty("outputs").EnumerateArray());
        Assert.Equal("image", output.GetProperty("kind").GetString());
        Assert.Equal("cli", output.GetProperty("subfolder").GetString());
        Assert.True(File.Exists(output.GetProperty("saved_to").GetString()));
    }

    [Fact]
    public void Set_types_values_and_finds_nodes_by_title_and_seeds_beyond_long_are_exact()
    {
        var workflow = new WorkflowBuilder()
            .Add("KSampler", n => n.SetTitle("Sampler.Main").Set("seed", 1).Set("cfg", 7.0).Set("sampler_name", "euler").Set("denoise", 1.0).Set("add_noise", true).Set("tags", "x"))
            .Build();

        SetAssignment.Apply(workflow, "1.seed=18446744073709551615");
        SetAssignment.Apply(workflow, "Sampler.Main.cfg=4.5");
        SetAssignment.Apply(workflow, "1.sampler_name=dpmpp_2m");
        SetAssignment.Apply(workflow, "1.add_noise=false");
        SetAssignment.Apply(workflow, "1.tags=[\"a\",\"b\"]");
        SetAssignment.Apply(workflow, "1.denoise=1");

        var node = workflow.Node("1");
        Assert.Contains("18446744073709551615", workflow.ToJson());
        Assert.Equal(18446744073709551615UL, node.GetInput<ulong>("seed"));
        Assert.Equal(4.5, node.GetInput<double>("cfg"));
        Assert.Equal("dpmpp_2m", node.GetInput<string>("sampler_name"));
        Assert.False(node.GetInput<bool>("add_noise"));
        Assert.Equal(1L, node.GetInput<long>("denoise"));
        Assert.Equal("[\"a\",\"b\"]", node.GetInputNode("tags")!.ToJsonString());
    }

    [Fact]
    public async Task Unknown_nodes_and_inputs_in_set_are_usage_errors_that_name_them()
    {
        var path = WriteWorkflow(TextWorkflow("hi", 1));

        var noNode = await RunCli(Ct, "run", path, "--set", "9.text=x", "--server", "http://127.0.0.1:1/");
        var noInput = await RunCli(Ct, "run", path, "--set", "Say.nope=x", "--server", "http://127.0.0.1:1/");
        var missingArgument = await RunCli(Ct, "run");
        var missingFile = await RunCli(Ct, "run", Path.Combine(_folder, "absent.json"));

        Assert.Equal(2, noNode.ExitCode);
        Assert.Contains("no node with that id or title", noNode.Error);
        Assert.Equal(2, noInput.ExitCode);
        Assert.Contains("has no such input", noInput.Error);
        Assert.Contains("text", noInput.Error);
        Assert.Equal(2, missingArgument.ExitCode);
        Assert.Equal(2, missingFile.ExitCode);
        Assert.DoesNotContain("   at ", noNode.Error + noInput.Error + missingFile.Error);
    }

    [Fact]
    public async Task A_node_error_exits_1_with_the_error_in_the_result_line()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var workflow = new WorkflowBuilder().Add("SdkTestRaiseError", n => n.Set("message", "broken").Set("exception_type", "ValueError").Set("seed", 3)).Build();

        var result = await RunCli(Ct, "run", WriteWorkflow(workflow), "--server", server.BaseAddress.ToString(), "--json", "--out", _folder);

        Assert.Equal(1, result.ExitCode);
        var final = result.Lines[^1];
        Assert.Equal("failed", final.GetProperty("state").GetString());
        Assert.Equal("ValueError", final.GetProperty("error").GetProperty("exception_type").GetString());
        Assert.Equal("SdkTestRaiseError", final.GetProperty("error").GetProperty("node_type").GetString());
        Assert.Contains("broken", result.Error);
    }

    [Fact]
    public async Task A_rejected_prompt_exits_1_with_the_servers_message_on_one_line()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var workflow = new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build();

        var result = await RunCli(Ct, "run", WriteWorkflow(workflow), "--server", server.BaseAddress.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("missing_node_type", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unreachable_server_exits_5()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await RunCli(Ct, "queue", "--server", $"http://127.0.0.1:{port}/");
        var run = await RunCli(Ct, "run", WriteWorkflow(new WorkflowBuilder().Add("SdkTestTextOutput", n => n.Set("text", "x")).Build()), "--server", $"http://127.0.0.1:{port}/");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("unreachable", result.Error);
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("unreachable", run.Error);
    }

    [Fact]
    public async Task Ctrl_C_cancels_only_its_own_prompt_and_exits_3()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var hold = server.Faults.HoldNode("SdkTestSlow");
        var slow = new WorkflowBuilder().Add("SdkTestSlow", n => n.Set("seconds", 30.0).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", 5)).Build();
        await using var other = new ComfyUIClient(new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = "other-app" });
        using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var cli = RunCli(ctrlC.Token, "run", WriteWorkflow(slow), "--server", server.BaseAddress.ToString(), "--json", "--out", _folder);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var othersRun = await other.SubmitAsync(TextWorkflow("still here", 6), cancellationToken: Ct);
        await ctrlC.CancelAsync();
        var result = await cli;

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("cancelled", result.Lines[^1].GetProperty("state").GetString());
        var others = await othersRun.WaitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal("still here", Assert.Single(others.Texts));
    }

    [Fact]
    public async Task Queue_history_nodes_and_stats_speak_json()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var url = server.BaseAddress.ToString();
        Assert.Equal(0, (await RunCli(Ct, "run", WriteWorkflow(TextWorkflow("x", 7)), "--server", url, "--out", _folder)).ExitCode);

        var history = await RunCli(Ct, "history", "--server", url, "--json");
        var node = await RunCli(Ct, "nodes", "EmptyImage", "--server", url, "--json");
        var stats = await RunCli(Ct, "stats", "--server", url, "--json");
        var queue = await RunCli(Ct, "queue", "--server", url, "--json");

        Assert.Equal("success", Assert.Single(history.Lines).GetProperty("status").GetString());
        Assert.Equal("INT", node.Lines[0].GetProperty("inputs").GetProperty("width").GetProperty("type").GetString());
        Assert.Equal("system_stats", Assert.Single(stats.Lines).GetProperty("type").GetString());
        Assert.Equal(0, queue.ExitCode);
        Assert.Empty(queue.Lines);
    }

    [Fact]
    public async Task Upload_then_download_round_trips_the_bytes()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var url = server.BaseAddress.ToString();
        var source = Path.Combine(_folder, "my image #1.png");
        File.Copy(Path.Combine(Fixture.Directory, "http", "upload_source.png"), source);

        var upload = await RunCli(Ct, "upload", source, "--subfolder", "cli", "--server", url, "--json");
        var uploaded = Assert.Single(upload.Lines);
        var target = Path.Combine(_folder, "back.png");
        var download = await RunCli(Ct, "download", uploaded.GetProperty("name").GetString()!, "--subfolder", "cli", "--type", "input", "-o", target, "--server", url);

        Assert.Equal(0, upload.ExitCode);
        Assert.Equal("cli/my image #1.png", uploaded.GetProperty("input_value").GetString());
        Assert.Equal(0, download.ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(source, Ct), await File.ReadAllBytesAsync(target, Ct));
    }
}
