using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ComfyUI.Client.Cli;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Cli;

/// <summary><c>comfyui run --server A --server B …</c> (a pool) and <c>comfyui pool status</c>.</summary>
public sealed class PoolCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-cli-pool-" + Guid.NewGuid().ToString("N"));

    public PoolCommandTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Task<CliResult> RunCli(params string[] args) => CliHarness.RunAsync(args, environment: _ => null);

    private string WriteWorkflow(Workflow workflow)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, workflow.ToJson());
        return path;
    }

    private static Task<FakeComfyUIServer> StartAsync(string? excluded = null)
    {
        var options = new FakeComfyUIServerOptions();
        if (excluded is not null)
        {
            options.ExcludedNodeClasses.Add(excluded);
        }

        return FakeComfyUIServer.StartAsync(options, Ct).WaitAsync(Waits.Deadline, Ct);
    }

    private static string ClosedPortAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/";
    }

    private static Workflow Slow() => new WorkflowBuilder()
        .Add("SdkTestSlow", n => n.Set("seconds", 0.0).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", 1))
        .Build();

    [Fact]
    public async Task Run_with_several_servers_sends_the_prompt_to_one_that_can_run_it_and_says_which()
    {
        await using var lacking = await StartAsync(excluded: "SdkTestSlow");
        await using var able = await StartAsync();

        var result = await RunCli("run", WriteWorkflow(Slow()), "--server", lacking.BaseAddress.ToString(), "--server", able.BaseAddress.ToString(), "--json", "--out", _folder);
        var human = await RunCli("run", WriteWorkflow(Slow()), "--server", lacking.BaseAddress.ToString(), "--server", able.BaseAddress.ToString(), "--out", _folder);

        Assert.Equal(0, result.ExitCode);
        var routed = result.Lines.Single(line => line.GetProperty("type").GetString() == "routed");
        Assert.Equal(able.BaseAddress.ToString(), routed.GetProperty("address").GetString());
        Assert.Equal(able.BaseAddress.Authority, routed.GetProperty("server").GetString());
        Assert.Equal("succeeded", result.Lines.Single(line => line.GetProperty("type").GetString() == "result").GetProperty("state").GetString());
        Assert.Equal(0, human.ExitCode);
        Assert.Contains($"routed to {able.BaseAddress.Authority} ({able.BaseAddress})", human.Out, StringComparison.Ordinal);
        Assert.Empty(lacking.ExecutedPromptIds);
        Assert.Equal(2, able.ExecutedPromptIds.Count);
    }

    [Fact]
    public async Task Run_on_servers_none_of_which_can_run_the_prompt_fails_with_each_servers_reason()
    {
        await using var a = await StartAsync(excluded: "SdkTestSlow");
        await using var b = await StartAsync(excluded: "SdkTestSlow");

        var result = await RunCli("run", WriteWorkflow(Slow()), "--server", a.BaseAddress.ToString(), "--server", b.BaseAddress.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No server of the pool can run this prompt", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{a.BaseAddress.Authority}: node class 'SdkTestSlow' is not installed", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{b.BaseAddress.Authority}: node class 'SdkTestSlow' is not installed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_status_shows_each_server_up_or_down_with_its_node_classes()
    {
        await using var up = await StartAsync(excluded: "SdkTestSlow");
        var down = ClosedPortAddress();

        var json = await RunCli("pool", "status", "--server", up.BaseAddress.ToString(), "--server", down, "--json");
        var human = await RunCli("pool", "status", "--server", up.BaseAddress.ToString(), "--server", down);

        Assert.Equal(0, json.ExitCode);
        var servers = json.Lines.Where(line => line.GetProperty("type").GetString() == "server").ToArray();
        Assert.Equal([up.BaseAddress.ToString(), down], servers.Select(s => s.GetProperty("address").GetString()));
        Assert.Equal("healthy", servers[0].GetProperty("health").GetString());
        Assert.True(servers[0].GetProperty("node_classes").GetInt32() > 0);
        Assert.Equal("unhealthy", servers[1].GetProperty("health").GetString());
        Assert.Equal(JsonValueKind.String, servers[1].GetProperty("last_error").ValueKind);
        Assert.Contains("1 of 2 servers up", human.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_status_with_no_server_up_exits_5_and_other_commands_take_one_server()
    {
        var status = await RunCli("pool", "status", "--server", ClosedPortAddress(), "--server", ClosedPortAddress());
        var queue = await RunCli("queue", "--server", "http://127.0.0.1:1/", "--server", "http://127.0.0.1:2/");

        Assert.Equal(5, status.ExitCode);
        Assert.Contains("0 of 2 servers up", status.Out, StringComparison.Ordinal);
        Assert.Equal(2, queue.ExitCode);
        Assert.Contains("'comfyui queue' takes one --server (it was given 2); only 'comfyui run' and 'comfyui pool status' take several.", queue.Error, StringComparison.Ordinal);
    }
}
