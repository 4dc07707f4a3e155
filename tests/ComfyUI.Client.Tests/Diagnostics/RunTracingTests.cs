using System.Diagnostics;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Diagnostics;

/// <summary>
/// The spans and span events a user's <see cref="ActivityListener"/> on <c>ComfyUI.Client</c> sees for runs on the fake server: normal, cached, failed,
/// interrupted, cancelled, lost, reconnected and rejected, and the W3C trace context they continue.
/// </summary>
public sealed class RunTracingTests
{
    private static readonly TimeSpan Deadline = Waits.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static ComfyUIClient CreateClient(FakeComfyUIServer server, string clientId, Action<ComfyUIClientOptions>? configure = null)
    {
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = clientId };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        options.Tracking.PollInterval = TimeSpan.FromMilliseconds(100);
        options.Tracking.LostAfter = TimeSpan.FromMilliseconds(600);
        configure?.Invoke(options);
        return new ComfyUIClient(options);
    }

    /// <summary>Four nodes: an image with three steps of progress, saved; its size, written as text.</summary>
    internal static Workflow ProgressWorkflow(int seed) => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 3).Set("delay_seconds", 0.0).Set("width", 16).Set("height", 16)
            .Set("preview_format", "PNG").Set("send_progress_text", false).Set("seed", seed))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "telemetry/progress"))
        .Add("SdkTestImageSize", out var size, n => n.SetLink("image", image, 0))
        .Add("SdkTestTextOutput", n => n.Set("text", "width").SetLink("number", size, 0).Set("seed", seed))
        .Build();

    internal static Workflow SlowWorkflow(int seed) => new WorkflowBuilder()
        .Add("SdkTestSlow", n => n.Set("seconds", 30.0).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", seed))
        .Build();

    [Fact]
    public async Task A_normal_run_is_one_client_span_under_the_callers_span_with_its_post_downloads_and_lifecycle_events()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-normal");
        var folder = Directory.CreateTempSubdirectory("comfyui-telemetry-").FullName;

        try
        {
            var result = await client.RunAsync(ProgressWorkflow(101), new PromptOptions { DownloadOutputsTo = folder }, Ct).WaitAsync(Deadline, Ct);

            var run = telemetry.Run(result.PromptId);
            Assert.Equal(ActivityKind.Client, run.Kind);
            Assert.Equal(telemetry.Root.TraceId, run.TraceId);
            Assert.Equal(telemetry.Root.SpanId, run.ParentSpanId);
            Assert.Equal(ComfyUIDiagnostics.ActivitySourceName, run.Source.Name);
            Assert.False(string.IsNullOrEmpty(run.Source.Version));
            Assert.Equal(server.BaseAddress.Host, run.Tag("server.address"));
            Assert.Equal(server.BaseAddress.Port, run.Tag("server.port"));
            Assert.Equal("succeeded", run.Tag("comfyui.run.status"));
            Assert.Equal(4, run.Tag("comfyui.prompt.node_count"));
            Assert.Equal(0, run.Tag("comfyui.run.cached_nodes"));
            Assert.Null(run.Tag("error.type"));
            Assert.Equal(ActivityStatusCode.Unset, run.Status);

            var submit = Assert.Single(telemetry.SpansNamed("comfyui.submit"));
            Assert.Equal(run.SpanId, submit.ParentSpanId);
            Assert.Equal(ActivityKind.Client, submit.Kind);
            Assert.Equal(result.PromptId, submit.Tag("comfyui.prompt_id"));
            Assert.True(submit.StartTimeUtc >= run.StartTimeUtc && submit.StartTimeUtc + submit.Duration <= run.StartTimeUtc + run.Duration);

            var download = Assert.Single(telemetry.SpansNamed("comfyui.download"));
            Assert.Equal(run.SpanId, download.ParentSpanId);
            Assert.Equal(new FileInfo(Assert.Single(result.SavedFiles).Path).Length, download.Tag("comfyui.file.size"));
            Assert.Equal(result.Images[0].Filename, download.Tag("comfyui.file.name"));

            var names = run.Events.Select(e => e.Name).ToList();
            Assert.Equal("comfyui.queued", names[0]);
            Assert.True(names.IndexOf("comfyui.started") > 0);
            Assert.DoesNotContain("comfyui.cached", names);
            Assert.DoesNotContain("comfyui.error", names);
            var executed = run.EventsNamed("comfyui.node.executed");
            Assert.Equal(
                ["1:SdkTestProgressImage", "2:SaveImage", "3:SdkTestImageSize", "4:SdkTestTextOutput"],
                executed.Select(e => $"{e.Tag("comfyui.node.id")}:{e.Tag("comfyui.node.class_type")}").Order(StringComparer.Ordinal));
            Assert.All(executed, e => Assert.True((double)e.Tag("comfyui.node.duration")! >= 0));
            var progress = run.EventsNamed("comfyui.progress");
            Assert.Equal([1.0, 3.0], progress.Select(e => (double)e.Tag("comfyui.progress.value")!));
            Assert.All(progress, e => Assert.Equal("1", e.Tag("comfyui.node.id")));
            Assert.Empty(telemetry.SpansNamed("comfyui.node SdkTestProgressImage"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_second_identical_run_reports_every_node_cached_and_executes_none()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-cached");

        await client.RunAsync(ProgressWorkflow(102), cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var second = await client.RunAsync(ProgressWorkflow(102), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        var run = telemetry.Run(second.PromptId);
        Assert.Equal(4, run.Tag("comfyui.run.cached_nodes"));
        Assert.Equal(4, Assert.Single(run.EventsNamed("comfyui.cached")).Tag("comfyui.run.cached_nodes"));
        Assert.Empty(run.EventsNamed("comfyui.node.executed"));
        Assert.Empty(run.EventsNamed("comfyui.progress"));
        Assert.Equal("succeeded", run.Tag("comfyui.run.status"));
    }

    [Fact]
    public async Task A_failed_run_ends_in_error_with_the_servers_exception_type_and_an_error_event_at_the_node()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-failed", o => o.Telemetry.NodeSpans = true);
        var workflow = new WorkflowBuilder()
            .Add("SdkTestRaiseError", n => n.Set("message", "kaboom").Set("exception_type", "KeyError").Set("seed", 103))
            .Build();

        var run = await client.SubmitAsync(workflow, cancellationToken: Ct);
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        var span = telemetry.Run(result.PromptId);
        Assert.Equal("failed", span.Tag("comfyui.run.status"));
        Assert.Equal("KeyError", span.Tag("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains("kaboom", span.StatusDescription, StringComparison.Ordinal);
        var error = Assert.Single(span.EventsNamed("comfyui.error"));
        Assert.Equal("1", error.Tag("comfyui.node.id"));
        Assert.Equal("SdkTestRaiseError", error.Tag("comfyui.node.class_type"));
        Assert.Equal("KeyError", error.Tag("exception.type"));
        Assert.Empty(span.EventsNamed("comfyui.node.executed"));
        var node = Assert.Single(telemetry.SpansNamed("comfyui.node SdkTestRaiseError"));
        Assert.Equal(span.SpanId, node.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, node.Status);
        Assert.Equal("KeyError", node.Tag("error.type"));
    }

    [Fact]
    public async Task Node_spans_when_asked_for_are_children_of_the_run_one_per_executed_node_named_by_class()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-nodes", o => o.Telemetry.NodeSpans = true);

        var result = await client.RunAsync(ProgressWorkflow(104), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        var run = telemetry.Run(result.PromptId);
        var nodes = telemetry.Spans.Where(s => s.OperationName.StartsWith("comfyui.node ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["comfyui.node SaveImage", "comfyui.node SdkTestImageSize", "comfyui.node SdkTestProgressImage", "comfyui.node SdkTestTextOutput"],
            nodes.Select(n => n.OperationName).Order(StringComparer.Ordinal));
        var executed = run.EventsNamed("comfyui.node.executed");
        Assert.All(nodes, n =>
        {
            // The span and the event time the same execution (up to the clocks' reading apart).
            var e = Assert.Single(executed, e => (string?)e.Tag("comfyui.node.class_type") == (string?)n.Tag("comfyui.node.class_type"));
            Assert.InRange(n.Duration.TotalSeconds - (double)e.Tag("comfyui.node.duration")!, -0.005, 0.005);
            Assert.Equal(run.SpanId, n.ParentSpanId);
            Assert.Equal(ActivityKind.Internal, n.Kind);
            Assert.Equal(n.OperationName["comfyui.node ".Length..], n.Tag("comfyui.node.class_type"));
            Assert.True(n.StartTimeUtc >= run.StartTimeUtc && n.StartTimeUtc + n.Duration <= run.StartTimeUtc + run.Duration);
        });
    }

    [Fact]
    public async Task An_interrupt_by_someone_else_ends_the_span_as_interrupted_with_an_event()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-interrupted");
        using var other = CreateClient(server, "trace-someone-else");
        var hold = server.Faults.HoldNode("SdkTestSlow");

        var run = await client.SubmitAsync(SlowWorkflow(105), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await other.Queue.InterruptAsync(run.PromptId, Ct);
        hold.Release();
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Interrupted, result.Status);
        var span = telemetry.Run(run.PromptId);
        Assert.Equal("interrupted", span.Tag("comfyui.run.status"));
        Assert.Equal("interrupted", span.Tag("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        var interrupted = Assert.Single(span.EventsNamed("comfyui.interrupted"));
        Assert.Equal("SdkTestSlow", interrupted.Tag("comfyui.node.class_type"));
    }

    [Fact]
    public async Task A_cancel_through_the_runs_token_is_not_an_error_and_shows_the_request()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-cancelled");
        var hold = server.Faults.HoldNode("SdkTestSlow");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = await client.SubmitAsync(SlowWorkflow(106), cancellationToken: cts.Token);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await cts.CancelAsync();
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Cancelled, result.Status);
        var span = telemetry.Run(run.PromptId);
        Assert.Equal("cancelled", span.Tag("comfyui.run.status"));
        Assert.Null(span.Tag("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Single(span.EventsNamed("comfyui.cancel_requested"));
    }

    [Fact]
    public async Task A_run_lost_in_a_server_restart_ends_as_lost_with_the_drop_and_the_checks_that_found_it_absent()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-lost");
        var hold = server.Faults.HoldNode("SdkTestSlow");

        var run = await client.SubmitAsync(SlowWorkflow(107), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await server.Faults.RestartAsync(keepHistory: true, Ct);
        var result = await run.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Lost, result.Status);
        var span = telemetry.Run(run.PromptId);
        Assert.Equal("lost", span.Tag("comfyui.run.status"));
        Assert.Equal("lost", span.Tag("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains(span.EventsNamed("comfyui.reconciled"), e => (string?)e.Tag("comfyui.reconcile.found") == "absent");
        Assert.NotEmpty(span.EventsNamed("comfyui.websocket.disconnected"));
        // The checks' HTTP calls happen under the run's span: its children.
        Assert.DoesNotContain(telemetry.Spans, s => s.OperationName == "comfyui.run" && s != span);
    }

    [Fact]
    public async Task A_run_whose_socket_dropped_shows_the_drop_the_reconnect_and_the_check_and_still_succeeds()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-reconnected");
        var hold = server.Faults.HoldNode("SaveImage");

        var run = await client.SubmitAsync(ProgressWorkflow(108), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        server.Faults.DropWebSockets();
        await ReconciledAfterReconnectAsync(run).WaitAsync(Deadline, Ct);
        hold.Release();
        var result = await run.WaitAsync(Ct).WaitAsync(Deadline, Ct);

        var span = telemetry.Run(result.PromptId);
        Assert.Equal("succeeded", span.Tag("comfyui.run.status"));
        var names = span.Events.Select(e => e.Name).ToList();
        var dropped = names.IndexOf("comfyui.websocket.disconnected");
        var back = names.IndexOf("comfyui.websocket.reconnected");
        Assert.True(dropped > 0 && back > dropped, string.Join(", ", names));
        Assert.Single(span.EventsNamed("comfyui.websocket.disconnected"));
        var check = Assert.Single(span.EventsNamed("comfyui.reconciled"), e => (string?)e.Tag("comfyui.reconcile.reason") == "reconnected");
        Assert.Equal("running", check.Tag("comfyui.reconcile.found"));
    }

    private static async Task ReconciledAfterReconnectAsync(PromptRun run)
    {
        await foreach (var e in run.ReadEventsAsync(Ct).WithCancellation(Ct))
        {
            if (e is PromptReconciledEvent { Reason: "reconnected" })
            {
                return;
            }
        }
    }

    [Fact]
    public async Task A_rejected_prompt_ends_its_span_with_the_servers_error_type_and_nothing_queued()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "trace-rejected");
        var workflow = new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build();
        var options = new PromptOptions { PromptId = Guid.NewGuid().ToString() };

        await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(workflow, options, Ct));

        var span = telemetry.Run(options.PromptId);
        Assert.Equal("missing_node_type", span.Tag("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Null(span.Tag("comfyui.run.status"));
        Assert.Empty(span.EventsNamed("comfyui.queued"));
        var submit = Assert.Single(telemetry.SpansNamed("comfyui.submit"));
        Assert.Equal("missing_node_type", submit.Tag("error.type"));
        Assert.Equal(span.SpanId, submit.ParentSpanId);
    }

    [Fact]
    public async Task The_post_carries_the_w3c_trace_context_of_the_run_to_the_server()
    {
        using var telemetry = new TelemetryCollector();
        await using var scripted = await Runs.ScriptedComfyServer.StartAsync();
        string? traceparent = null;
        scripted.OnPrompt = (body, context) =>
        {
            traceparent = context.Request.Headers["traceparent"].ToString();
            var id = body["prompt_id"]!.GetValue<string>();
            scripted.History[id] = Runs.ScriptedComfyServer.SuccessEntry(id);
            return Task.FromResult((200, Runs.ScriptedComfyServer.Accepted(id)));
        };
        await using var client = scripted.CreateClient(o => o.Tracking.SilenceReconcileInterval = TimeSpan.FromMilliseconds(50));

        var result = await client.RunAsync(new WorkflowBuilder().Add("SaveImage", n => n.Set("filename_prefix", "x")).Build(), cancellationToken: Ct)
            .WaitAsync(Deadline, Ct);

        var run = telemetry.Run(result.PromptId);
        var submit = Assert.Single(telemetry.SpansNamed("comfyui.submit"));
        Assert.Equal(telemetry.Root.TraceId, run.TraceId);
        Assert.Equal(run.SpanId, submit.ParentSpanId);
        // traceparent = 00-{trace id}-{the POST's span: comfyui.submit, or the HTTP client's own span under it}-{sampled}.
        Assert.Matches($"^00-{run.TraceId}-[0-9a-f]{{16}}-01$", traceparent);
        Assert.DoesNotContain(run.SpanId.ToString(), traceparent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_events_are_throttled_per_node_but_keep_each_nodes_first_and_last_step()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var every = CreateClient(server, "trace-progress-all", o => o.Telemetry.ProgressEventInterval = TimeSpan.Zero);
        await using var throttled = CreateClient(server, "trace-progress-throttled", o => o.Telemetry.ProgressEventInterval = TimeSpan.FromHours(1));
        Workflow Steps(int seed) => new WorkflowBuilder()
            .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 10).Set("delay_seconds", 0.0).Set("width", 8).Set("height", 8)
                .Set("preview_format", "PNG").Set("send_progress_text", false).Set("seed", seed))
            .Add("PreviewImage", n => n.SetLink("images", image, 0))
            .Build();

        var all = await every.RunAsync(Steps(109), cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var few = await throttled.RunAsync(Steps(110), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (double)i), telemetry.Run(all.PromptId).EventsNamed("comfyui.progress").Select(e => (double)e.Tag("comfyui.progress.value")!));
        Assert.Equal([1.0, 10.0], telemetry.Run(few.PromptId).EventsNamed("comfyui.progress").Select(e => (double)e.Tag("comfyui.progress.value")!));
    }
}
