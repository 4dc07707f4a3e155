namespace ComfyUI.Client.Tests.Runs;

/// <summary><see cref="PromptRun.FromResult"/>: code that takes runs from <c>SubmitAsync</c> can be tested without a server.</summary>
public sealed class PromptRunTestDoubleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class StubClient(PromptResult result) : ComfyUIClient(new Uri("http://127.0.0.1:1/"))
    {
        public override Task<PromptRun> SubmitAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(PromptRun.FromResult(result));
    }

    [Fact]
    public async Task A_completed_run_behaves_like_a_real_one_for_the_code_under_test()
    {
        var images = System.Text.Json.JsonDocument.Parse("""[{"filename": "a.png", "subfolder": "", "type": "output"}]""").RootElement;
        var outputs = new Dictionary<string, NodeOutput> { ["9"] = new(new Dictionary<string, System.Text.Json.JsonElement> { ["images"] = images }) };
        await using var client = new StubClient(new PromptResult { PromptId = "p1", Status = PromptStatus.Succeeded, Outputs = outputs });

        var run = await client.SubmitAsync(Workflow.Parse("""{"9": {"class_type": "SaveImage", "inputs": {}}}"""), cancellationToken: Ct);
        var result = await run.WaitAsync(Ct);
        var events = new List<PromptEvent>();
        await foreach (var e in run.ReadEventsAsync(Ct))
        {
            events.Add(e);
        }

        Assert.Equal("p1", run.PromptId);
        Assert.Equal(PromptStatus.Succeeded, run.Status);
        Assert.Equal("a.png", Assert.Single(result.Images).Filename);
        Assert.IsType<PromptQueuedEvent>(events[0]);
        Assert.Same(result, Assert.IsType<PromptFinishedEvent>(events[1]).Result);
        Assert.Same(result, await run.CancelAsync(Ct));
        await run.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_run_throws_as_a_real_one_does()
    {
        var run = PromptRun.FromResult(new PromptResult
        {
            PromptId = "p2",
            Status = PromptStatus.Failed,
            Error = new PromptError { NodeId = "3", NodeType = "KSampler", ExceptionType = "RuntimeError", ExceptionMessage = "boom" },
        });

        var ex = await Assert.ThrowsAsync<ComfyUIExecutionException>(() => run.WaitAsync(Ct));

        Assert.Equal("3", ex.NodeId);
        Assert.Equal(PromptStatus.Failed, (await run.Completion).Status);
    }

    [Fact]
    public void A_run_that_has_not_ended_cannot_be_made()
    {
        var ex = Assert.Throws<ArgumentException>(() => PromptRun.FromResult(new PromptResult { PromptId = "p3", Status = PromptStatus.Running }));
        Assert.Contains("terminal", ex.Message);
    }
}
