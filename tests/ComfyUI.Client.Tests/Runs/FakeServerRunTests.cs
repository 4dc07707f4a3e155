using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Runs;

/// <summary>Runs end to end on the in-process fake ComfyUI, which executes real nodes and injects faults the way the real server shows them.</summary>
public sealed class FakeServerRunTests
{
    private static readonly TimeSpan Deadline = Waits.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ComfyUIClient CreateClient(FakeComfyUIServer server, string clientId = "fake-runs", Action<ComfyUIClientOptions>? configure = null)
    {
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = clientId };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        options.Tracking.PollInterval = TimeSpan.FromMilliseconds(100);
        options.Tracking.LostAfter = TimeSpan.FromMilliseconds(600);
        configure?.Invoke(options);
        return new ComfyUIClient(options);
    }

    private static Workflow ProgressWorkflow(int seed, int steps = 3) => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", steps).Set("delay_seconds", 0.0).Set("width", 16).Set("height", 16)
            .Set("preview_format", "PNG").Set("send_progress_text", true).Set("seed", seed))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "runs/progress"))
        .Add("SdkTestImageSize", out var size, n => n.SetLink("image", image, 0))
        .Add("SdkTestTextOutput", n => n.Set("text", "width").SetLink("number", size, 0).Set("seed", seed))
        .Build();

    private static Workflow SlowWorkflow(int seed, double seconds = 30) => new WorkflowBuilder()
        .Add("SdkTestSlow", n => n.Set("seconds", seconds).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", seed))
        .Build();

    private static async Task<List<PromptEvent>> EventsAsync(PromptRun run)
    {
        var events = new List<PromptEvent>();
        await foreach (var e in run.ReadEventsAsync(Ct).WithCancellation(Ct))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task A_normal_run_streams_progress_previews_and_outputs_of_every_kind()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);

        var run = await client.SubmitAsync(ProgressWorkflow(1), new PromptOptions { PreviewMethod = "auto" }, Ct);
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);
        var events = await EventsAsync(run);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        var image = Assert.Single(result.Images);
        Assert.Equal("runs", image.Subfolder);
        Assert.Equal("width 16", Assert.Single(result.Texts));
        Assert.Equal([1.0, 2.0, 3.0], events.OfType<PromptProgressEvent>().Select(p => p.Value));
        var previews = events.Count(e => e is PromptPreviewEvent);
        Assert.True(previews == 0, "live previews are not replayed to late readers");
        Assert.Equal(3, events.OfType<PromptProgressTextEvent>().Count(t => t.NodeId == "1"));
        Assert.Contains(events, e => e is PromptNodeOutputEvent { NodeId: "2" });
        Assert.IsType<PromptFinishedEvent>(events[^1]);

        await using var download = new MemoryStream();
        await client.Files.DownloadAsync(image, download, Ct);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], download.ToArray()[..4]);
    }

    [Fact]
    public async Task A_live_reader_gets_previews_with_metadata_for_its_own_node()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var hold = server.Faults.HoldNode("SdkTestProgressImage");

        var run = await client.SubmitAsync(ProgressWorkflow(2), new PromptOptions { PreviewMethod = "auto" }, Ct);
        var reading = EventsAsync(run);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        hold.Release();
        var events = await reading.WaitAsync(Deadline, Ct);

        var previews = events.OfType<PromptPreviewEvent>().ToArray();
        Assert.Equal(3, previews.Length);
        Assert.All(previews, p =>
        {
            Assert.Equal("image/png", p.MimeType);
            Assert.Equal("1", p.NodeId);
            Assert.True(p.Image.Length > 8);
        });
    }

    [Fact]
    public async Task Repeating_a_prompt_is_served_from_the_cache_and_still_returns_outputs()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);

        var first = await client.RunAsync(ProgressWorkflow(3), cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var second = await client.RunAsync(ProgressWorkflow(3), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        Assert.NotEmpty(second.CachedNodes);
        Assert.Equal(first.Images.Select(i => i.Filename), second.Images.Select(i => i.Filename));
        Assert.Equal(first.Texts, second.Texts);
    }

    [Fact]
    public async Task An_error_at_a_node_fails_the_run_with_the_servers_exception()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var workflow = new WorkflowBuilder()
            .Add("SdkTestRaiseError", n => n.Set("message", "kaboom").Set("exception_type", "KeyError").Set("seed", 4))
            .Build();

        var ex = await Assert.ThrowsAsync<ComfyUIExecutionException>(() => client.RunAsync(workflow, cancellationToken: Ct).WaitAsync(Deadline, Ct));

        Assert.Equal(PromptStatus.Failed, ex.Status);
        Assert.Equal("1", ex.NodeId);
        Assert.Equal("SdkTestRaiseError", ex.NodeType);
        Assert.Equal("KeyError", ex.ExceptionType);
        Assert.Contains("kaboom", ex.ExceptionMessage);
    }

    [Fact]
    public async Task A_rejected_prompt_throws_and_nothing_is_queued()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var workflow = new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build();

        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(workflow, cancellationToken: Ct));

        Assert.Equal("missing_node_type", ex.ErrorType);
        Assert.Equal("NoSuchNode", ex.Node?.ClassType);
        Assert.Equal("1", ex.Node?.NodeId);
        Assert.Empty(server.PendingPromptIds);
        Assert.Null(server.RunningPromptId);
    }

    [Fact]
    public async Task An_interrupt_by_another_client_ends_the_run_as_interrupted()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        using var other = CreateClient(server, "someone-else");
        var hold = server.Faults.HoldNode("SdkTestSlow");

        var run = await client.SubmitAsync(SlowWorkflow(5), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await other.Queue.InterruptAsync(run.PromptId, Ct);
        hold.Release();
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Interrupted, result.Status);
    }

    [Fact]
    public async Task Cancelling_while_pending_removes_only_this_prompt_and_the_running_one_finishes()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        using var other = CreateClient(server, "someone-else");
        var hold = server.Faults.HoldNode("SdkTestSlow");
        var blocker = await other.SubmitAsync(SlowWorkflow(6, seconds: 0.01), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = await client.SubmitAsync(ProgressWorkflow(7), cancellationToken: cts.Token);
        Assert.Contains(run.PromptId, server.PendingPromptIds);
        await cts.CancelAsync();
        var result = await run.Completion.WaitAsync(Deadline, Ct);
        hold.Release();

        Assert.Equal(PromptStatus.Cancelled, result.Status);
        Assert.DoesNotContain(run.PromptId, server.PendingPromptIds);
        Assert.Equal(PromptStatus.Succeeded, (await blocker.Completion.WaitAsync(Deadline, Ct)).Status);
    }

    [Fact]
    public async Task Cancelling_while_running_interrupts_only_this_prompt_and_the_next_one_runs()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        using var other = CreateClient(server, "someone-else");
        var hold = server.Faults.HoldNode("SdkTestSlow");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = await client.SubmitAsync(SlowWorkflow(8), cancellationToken: cts.Token);
        var next = await other.SubmitAsync(ProgressWorkflow(9), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await cts.CancelAsync();
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Cancelled, result.Status);
        Assert.Equal(PromptStatus.Succeeded, (await next.Completion.WaitAsync(Deadline, Ct)).Status);
    }

    [Fact]
    public async Task A_socket_dropped_mid_run_still_returns_the_outputs()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(ProgressWorkflow(10), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        server.Faults.DropWebSockets();
        hold.Release();
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Single(result.Images);
        Assert.Equal("width 16", Assert.Single(result.Texts));
    }

    [Fact]
    public async Task A_socket_that_goes_silent_while_the_server_finishes_does_not_hang_the_run()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, configure: o => o.Tracking.SilenceReconcileInterval = TimeSpan.FromMilliseconds(300));
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(ProgressWorkflow(11), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        server.Faults.StallWebSockets();
        hold.Release();
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Single(result.Images);
    }

    [Fact]
    public async Task A_server_restart_that_loses_the_queue_ends_the_run_as_lost()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var hold = server.Faults.HoldNode("SdkTestSlow");

        var run = await client.SubmitAsync(SlowWorkflow(12), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await server.Faults.RestartAsync(keepHistory: true, Ct);
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Lost, result.Status);
    }

    [Fact]
    public async Task When_the_socket_is_refused_the_run_is_followed_by_polling_without_a_storm()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        server.Faults.RefuseWebSocketUpgrades(403);
        await using var client = CreateClient(server);

        var result = await client.RunAsync(ProgressWorkflow(13), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        Assert.Single(result.Images);
        Assert.Equal(1, server.WebSocketUpgradeAttempts);
    }

    [Fact]
    public async Task Twenty_concurrent_runs_on_one_socket_each_get_their_own_outputs()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var workflows = Enumerable.Range(0, 20).Select(i => new WorkflowBuilder()
            .Add("SdkTestTextOutput", n => n.Set("text", "run" + i).Set("seed", 100 + i)).Build()).ToArray();

        var runs = await Task.WhenAll(workflows.Select(w => client.SubmitAsync(w, cancellationToken: Ct)));
        var results = await Task.WhenAll(runs.Select(r => r.WaitAsync(Ct))).WaitAsync(Deadline, Ct);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => "run" + i), results.Select(r => Assert.Single(r.Texts)));
        Assert.Equal(1, server.WebSocketUpgradeAttempts);
        foreach (var run in runs)
        {
            Assert.All(await EventsAsync(run), e => Assert.Equal(run.PromptId, e.PromptId));
        }
    }
}
