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
}
