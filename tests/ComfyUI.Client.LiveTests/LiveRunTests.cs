namespace ComfyUI.Client.LiveTests;

/// <summary>Tracked runs against the real server: success with outputs, cache, node error, cancellation, interrupt by another client.</summary>
[Collection(nameof(ServerCacheCollection))]
public sealed class LiveRunTests
{
    private static Workflow Progress(ulong seed, string format = "PNG") => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 3).Set("delay_seconds", 0.05).Set("width", 32).Set("height", 32)
            .Set("preview_format", format).Set("send_progress_text", true).Set("seed", seed))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "sdk_test/live"))
        .Add("SdkTestImageSize", out var size, n => n.SetLink("image", image, 0))
        .Add("SdkTestTextOutput", n => n.Set("text", "width").SetLink("number", size, 0).Set("seed", seed))
        .Build();

    private static Workflow Slow(ulong seed) => new WorkflowBuilder()
        .Add("SdkTestSlow", n => n.Set("seconds", 30.0).Set("poll_seconds", 0.02).Set("report_progress", true).Set("seed", seed))
        .Build();

    [Fact]
    public async Task A_run_streams_progress_previews_text_and_returns_downloadable_outputs()
    {
        await using var client = Live.Client();
        var run = await client.SubmitAsync(Progress(Live.FreshSeed()), new PromptOptions { PreviewMethod = "auto" }, Live.Ct);
        var events = new List<PromptEvent>();
        await foreach (var e in run.ReadEventsAsync(Live.Ct).WithCancellation(Live.Ct))
        {
            events.Add(e);
        }

        var result = await run.WaitAsync(Live.Ct);
        try
        {
            Assert.IsType<PromptQueuedEvent>(events[0]);
            Assert.Equal([1.0, 2.0, 3.0], events.OfType<PromptProgressEvent>().Select(p => p.Value));
            Assert.Equal(3, events.OfType<PromptPreviewEvent>().Count(p => p.MimeType == "image/png" && p.NodeId == "1"));
            Assert.Contains(events, e => e is PromptProgressTextEvent { NodeId: "1" });
            Assert.Equal("width 32", Assert.Single(result.Texts));
            var image = Assert.Single(result.Images);
            using var png = new MemoryStream();
            await client.Files.DownloadAsync(image, png, Live.Ct);
            Assert.Equal(0x89, png.ToArray()[0]);
        }
        finally
        {
            await Live.ForgetAsync(client, run.PromptId);
        }
    }

    [Fact]
    public async Task Repeating_a_prompt_is_cached_and_still_returns_its_outputs()
    {
        await using var client = Live.Client();
        var workflow = Progress(Live.FreshSeed());
        var first = await client.RunAsync(workflow, cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        var second = await client.RunAsync(workflow, cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        try
        {
            Assert.Contains("1", second.CachedNodes);
            Assert.Equal(first.Texts, second.Texts);
            Assert.Equal(first.Images.Select(i => i.Filename), second.Images.Select(i => i.Filename));
        }
        finally
        {
            await Live.ForgetAsync(client, first.PromptId, second.PromptId);
        }
    }

    [Fact]
    public async Task An_error_at_a_node_is_a_typed_failure()
    {
        await using var client = Live.Client();
        var workflow = new WorkflowBuilder().Add("SdkTestRaiseError", n => n.Set("message", "live boom").Set("exception_type", "KeyError").Set("seed", Live.FreshSeed())).Build();

        var ex = await Assert.ThrowsAsync<ComfyUIExecutionException>(() => client.RunAsync(workflow, cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct));
        await Live.ForgetAsync(client, ex.PromptId);

        Assert.Equal(PromptStatus.Failed, ex.Status);
        Assert.Equal("SdkTestRaiseError", ex.NodeType);
        Assert.Equal("KeyError", ex.ExceptionType);
        Assert.Contains("live boom", ex.ExceptionMessage);
        Assert.NotEmpty(ex.Traceback);
    }

    [Fact]
    public async Task A_rejected_prompt_carries_the_servers_node_errors()
    {
        await using var client = Live.Client();
        var workflow = new WorkflowBuilder().Add("EmptyImage", out var image, n => n.Set("width", -5).Set("height", 8).Set("batch_size", 1).Set("color", 0))
            .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "sdk_test/live")).Build();

        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(workflow, cancellationToken: Live.Ct));

        Assert.Equal("prompt_outputs_failed_validation", ex.ErrorType);
        Assert.Contains(ex.NodeErrors["1"].Errors, e => e.Type == "value_smaller_than_min" && e.InputName == "width");
    }

    [Fact]
    public async Task Cancelling_a_running_run_interrupts_only_it_and_cancelling_a_pending_one_removes_only_it()
    {
        await using var client = Live.Client();
        await using var other = Live.Client("live-other-" + Guid.NewGuid().ToString("N"));
        using var runningToken = CancellationTokenSource.CreateLinkedTokenSource(Live.Ct);
        using var pendingToken = CancellationTokenSource.CreateLinkedTokenSource(Live.Ct);

        var running = await client.SubmitAsync(Slow(Live.FreshSeed()), cancellationToken: runningToken.Token);
        var pending = await client.SubmitAsync(Slow(Live.FreshSeed()), cancellationToken: pendingToken.Token);
        var others = await other.SubmitAsync(Progress(Live.FreshSeed()), cancellationToken: Live.Ct);
        await foreach (var e in running.ReadEventsAsync(Live.Ct).WithCancellation(Live.Ct))
        {
            if (e is PromptNodeExecutingEvent)
            {
                break;
            }
        }

        await pendingToken.CancelAsync();
        var pendingResult = await pending.Completion.WaitAsync(Live.Deadline, Live.Ct);
        await runningToken.CancelAsync();
        var runningResult = await running.Completion.WaitAsync(Live.Deadline, Live.Ct);
        var othersResult = await others.Completion.WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(client, running.PromptId, pending.PromptId, others.PromptId);

        Assert.Equal(PromptStatus.Cancelled, pendingResult.Status);
        Assert.Equal(PromptStatus.Cancelled, runningResult.Status);
        Assert.Equal(PromptStatus.Succeeded, othersResult.Status);
    }

    [Fact]
    public async Task An_interrupt_by_another_client_ends_the_run_as_interrupted()
    {
        await using var client = Live.Client();
        await using var other = Live.Client("live-other-" + Guid.NewGuid().ToString("N"));
        var run = await client.SubmitAsync(Slow(Live.FreshSeed()), cancellationToken: Live.Ct);
        await foreach (var e in run.ReadEventsAsync(Live.Ct).WithCancellation(Live.Ct))
        {
            if (e is PromptNodeExecutingEvent)
            {
                break;
            }
        }

        await other.Queue.InterruptAsync(run.PromptId, Live.Ct);
        var result = await run.Completion.WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(client, run.PromptId);

        Assert.Equal(PromptStatus.Interrupted, result.Status);
    }
}
