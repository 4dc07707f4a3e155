using ComfyUI.Client.Tests.Faults;

namespace ComfyUI.Client.LiveTests;

/// <summary>
/// A pool over two real servers: <c>COMFYUI_URL</c> (with the SDK's test nodes) and <c>COMFYUI_URL_NO_TEST_NODES</c> (started with --no-test-nodes). Prompts
/// that need a test node always go to the first; core prompts go to either; a prompt neither can run fails at once with both reasons.
/// </summary>
public sealed class LivePoolTests
{
    private static ComfyUIPool Pool()
    {
        var first = Live.Url;
        var second = Environment.GetEnvironmentVariable("COMFYUI_URL_NO_TEST_NODES") is { Length: > 0 } url ? new Uri(url) : null;
        Assert.SkipWhen(first is null || second is null, "COMFYUI_URL and COMFYUI_URL_NO_TEST_NODES (a server without the test nodes) are needed for the pool's live test.");
        var options = new ComfyUIPoolOptions();
        options.Client.Tracking.LostAfter = TimeSpan.FromSeconds(5);
        options.Servers.Add(new PoolServerOptions { BaseAddress = first, Name = "with-test-nodes" });
        options.Servers.Add(new PoolServerOptions { BaseAddress = second, Name = "core" });
        return new ComfyUIPool(options);
    }

    private static async Task FirstAsync(IAsyncEnumerable<PoolEvent> events, Func<PoolEvent, bool> match)
    {
        await foreach (var e in events)
        {
            if (match(e))
            {
                return;
            }
        }
    }

    private static Workflow TestNode(ulong seed) => new WorkflowBuilder()
        .Add("SdkTestTextOutput", n => n.Set("text", "routed").Set("seed", seed))
        .Build();

    /// <summary>Core nodes only: an empty latent, decoded nowhere — a tiny image made and saved by core classes.</summary>
    private static Workflow Core(ulong seed) => new WorkflowBuilder()
        .Add("EmptyImage", out var image, n => n.Set("width", 8).Set("height", 8).Set("batch_size", 1).Set("color", (long)(seed % 16_777_215)))
        .Add("PreviewImage", n => n.SetLink("images", image, 0))
        .Build();

    [Fact]
    public async Task Prompts_needing_a_test_node_always_go_to_the_server_that_has_them_and_core_prompts_run_on_either()
    {
        await using var pool = Pool();
        var servers = await pool.GetServersAsync(Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        Assert.All(servers, s => Assert.Equal(PoolServerHealth.Healthy, s.Health));
        Assert.True(servers[0].NodeClassCount > servers[1].NodeClassCount);

        var ids = new List<(ComfyUIClient Client, string Id)>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var result = await pool.RunAsync(TestNode(Live.FreshSeed()), cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
                ids.Add((pool.GetClient(result.Server!), result.PromptId));
                Assert.Equal(servers[0].Address, result.Server);
                Assert.Equal("routed", Assert.Single(result.Texts));
            }

            var core = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => pool.RunAsync(Core(Live.FreshSeed()), cancellationToken: Live.Ct)))
                .WaitAsync(Live.Deadline, Live.Ct);
            ids.AddRange(core.Select(r => (pool.GetClient(r.Server!), r.PromptId)));
            Assert.All(core, r => Assert.Equal(PromptStatus.Succeeded, r.Status));
            Assert.All(core, r => Assert.Single(r.Images));
            Assert.Equal(2, core.Select(r => r.Server).Distinct().Count());   // four at once on two equal, idle servers: both take some

            var error = await Assert.ThrowsAsync<ComfyUIPoolException>(() => pool.SubmitAsync(new WorkflowBuilder()
                .Add("NoSuchNodeAnywhere", n => n.Set("x", 1)).Build(), cancellationToken: Live.Ct)).WaitAsync(Live.Deadline, Live.Ct);
            Assert.Equal(["with-test-nodes", "core"], error.Rejections.Select(r => r.ServerName));
            Assert.All(error.Rejections, r => Assert.Equal(PoolRejectionKind.MissingNodeType, r.Kind));
        }
        finally
        {
            foreach (var group in ids.GroupBy(i => i.Client))
            {
                await Live.ForgetAsync(group.Key, [.. group.Select(i => i.Id)]);
            }
        }
    }

    [Theory]
    [InlineData(PromptDelivery.AtMostOnce)]
    [InlineData(PromptDelivery.AtLeastOnce)]
    public async Task Connections_to_the_running_server_cut_mid_run_end_the_prompt_there_once_and_never_on_the_other(PromptDelivery delivery)
    {
        var second = Environment.GetEnvironmentVariable("COMFYUI_URL_NO_TEST_NODES") is { Length: > 0 } url ? new Uri(url) : null;
        Assert.SkipWhen(Live.Url is null || second is null, "COMFYUI_URL and COMFYUI_URL_NO_TEST_NODES (a server without the test nodes) are needed for the pool's live test.");
        using var probe = Live.Client();
        using var probeSecond = new ComfyUIClient(new ComfyUIClientOptions { BaseAddress = second });
        await using var withTestNodes = new TcpFaultProxy(Live.Url!);
        await using var core = new TcpFaultProxy(second);
        var options = new ComfyUIPoolOptions { Delivery = delivery, ResubmitAfter = TimeSpan.FromSeconds(2) };
        options.Client.RequestTimeout = TimeSpan.FromSeconds(5);
        options.Client.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(50);
        options.Client.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
        options.Client.Tracking.PollInterval = TimeSpan.FromMilliseconds(200);
        options.Servers.Add(new PoolServerOptions { BaseAddress = withTestNodes.BaseAddress, Name = "with-test-nodes" });
        options.Servers.Add(new PoolServerOptions { BaseAddress = core.BaseAddress, Name = "core" });
        await using var pool = new ComfyUIPool(options);
        var slow = new WorkflowBuilder()
            .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 8).Set("delay_seconds", 0.25).Set("width", 16).Set("height", 16)
                .Set("preview_format", "none").Set("send_progress_text", false).Set("seed", Live.FreshSeed()))
            .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "sdk_test/live_pool"))
            .Build();

        var run = await pool.SubmitAsync(slow, cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        await Live.FirstProgressAsync(run).WaitAsync(Live.Deadline, Live.Ct);
        var events = pool.ReadEventsAsync(Live.Ct);   // subscribes now
        withTestNodes.RefuseNew = true;
        withTestNodes.CutAll();
        // Unreachable until the pool has taken the server out (the real server runs on meanwhile), then back.
        await FirstAsync(events, e => e.Kind == PoolEventKind.Down && e.ServerName == "with-test-nodes").WaitAsync(Live.Deadline, Live.Ct);
        withTestNodes.RefuseNew = false;
        var result = await run.WaitAsync(Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        try
        {
            // The server kept running the prompt: once it answers again the pool finds it there, under either policy, and takes its outputs.
            Assert.Equal(PromptStatus.Succeeded, result.Status);
            Assert.Equal(withTestNodes.BaseAddress, result.Server);
            Assert.Single(result.Images);
            Assert.Null(await probeSecond.History.GetAsync(run.PromptId, Live.Ct));
        }
        finally
        {
            await Live.ForgetAsync(probe, run.PromptId);
        }
    }
}
