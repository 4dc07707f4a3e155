using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Faults;

/// <summary>Network faults between client and the fake server, through a loopback TCP proxy: runs still end right, with outputs.</summary>
public sealed class ProxyFaultTests
{
    private static readonly TimeSpan Deadline = Waits.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Workflow SaveWorkflow(int seed) => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 2).Set("delay_seconds", 0.0).Set("width", 8).Set("height", 8)
            .Set("preview_format", "none").Set("send_progress_text", false).Set("seed", seed))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "proxy/out"))
        .Build();

    private static ComfyUIClient Client(Uri address, Action<ComfyUIClientOptions>? configure = null)
    {
        var options = new ComfyUIClientOptions { BaseAddress = address, ClientId = "proxy-test", RequestTimeout = TimeSpan.FromSeconds(2) };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        options.Tracking.PollInterval = TimeSpan.FromMilliseconds(100);
        options.Tracking.LostAfter = TimeSpan.FromSeconds(2);
        configure?.Invoke(options);
        return new ComfyUIClient(options);
    }

    [Fact]
    public async Task Connections_cut_mid_run_still_end_in_success_with_the_outputs()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var proxy = new TcpFaultProxy(server.BaseAddress);
        await using var client = Client(proxy.BaseAddress);
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(SaveWorkflow(1), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        proxy.CutAll();
        hold.Release();
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal("proxy", Assert.Single(result.Images).Subfolder);
    }

    [Fact]
    public async Task Connections_held_open_but_silent_do_not_hang_the_run()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var proxy = new TcpFaultProxy(server.BaseAddress);
        await using var client = Client(proxy.BaseAddress, o =>
        {
            o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(1);
            o.WebSocket.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
            o.Tracking.SilenceReconcileInterval = TimeSpan.FromMilliseconds(500);
        });
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(SaveWorkflow(2), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        proxy.HoldAll();
        hold.Release();
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Single(result.Images);
    }

    [Fact]
    public async Task A_socket_the_network_holds_silent_still_gets_the_result_by_the_silence_check()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var proxy = new TcpFaultProxy(server.BaseAddress);
        // Keep-alive and the idle watchdog would notice only after a minute: the silence check (measured from the last event) must do it.
        await using var client = Client(proxy.BaseAddress, o => o.Tracking.SilenceReconcileInterval = TimeSpan.FromSeconds(1));
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(SaveWorkflow(4), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        proxy.HoldWebSocketsFromServer();
        hold.Release();
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal("proxy", Assert.Single(result.Images).Subfolder);
    }

    [Fact]
    public async Task A_server_that_stops_accepting_connections_ends_the_run_as_lost_in_bounded_time()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var proxy = new TcpFaultProxy(server.BaseAddress);
        await using var client = Client(proxy.BaseAddress, o => o.Tracking.UnreachableAfter = TimeSpan.FromSeconds(2));
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(SaveWorkflow(3), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        proxy.RefuseNew = true;
        proxy.CutAll();
        var result = await run.Completion.WaitAsync(Deadline, Ct);
        hold.Release();

        Assert.Equal(PromptStatus.Lost, result.Status);
        Assert.Contains("could not be reached", result.Reason);
    }
}
