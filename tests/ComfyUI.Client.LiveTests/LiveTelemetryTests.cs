using System.Diagnostics;
using ComfyUI.Client.Tests.Diagnostics;
using ComfyUI.Client.Tests.Faults;

namespace ComfyUI.Client.LiveTests;

/// <summary>
/// What an <see cref="ActivityListener"/> and a <see cref="System.Diagnostics.Metrics.MeterListener"/> on <c>ComfyUI.Client</c> see for runs on the real
/// server: normal, cached, failing, cancelled, and with the connections cut mid-run (through a loopback TCP proxy). Each client goes through its
/// own proxy, so its metrics are told apart by <c>server.port</c>.
/// </summary>
[Collection(nameof(ServerCacheCollection))]
public sealed class LiveTelemetryTests
{
    private static Workflow Steps(ulong seed, double delay = 0.05) => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 6).Set("delay_seconds", delay).Set("width", 16).Set("height", 16)
            .Set("preview_format", "none").Set("send_progress_text", false).Set("seed", seed))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "sdk_test/live_telemetry"))
        .Build();

    private static ComfyUIClient ThroughProxy(TcpFaultProxy proxy, Action<ComfyUIClientOptions>? configure = null) =>
        Live.ThroughProxy(proxy, options =>
        {
            options.Telemetry.NodeSpans = true;
            configure?.Invoke(options);
        });

    [Fact]
    public async Task A_run_and_its_cached_repeat_show_the_span_tree_node_times_and_the_servers_own_queue_and_execution_times()
    {
        using var probe = Live.Client();
        using var telemetry = new TelemetryCollector();
        await using var proxy = new TcpFaultProxy(Live.Url!);
        await using var client = ThroughProxy(proxy);
        var seed = Live.FreshSeed();

        var first = await client.RunAsync(Steps(seed), cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        var second = await client.RunAsync(Steps(seed), cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(probe, first.PromptId, second.PromptId);

        var run = telemetry.Run(first.PromptId);
        Assert.Equal(telemetry.Root.SpanId, run.ParentSpanId);
        Assert.Equal("succeeded", run.Tag("comfyui.run.status"));
        Assert.Equal(proxy.BaseAddress.Port, run.Tag("server.port"));
        Assert.Equal(run.SpanId, Assert.Single(telemetry.SpansNamed("comfyui.submit"), s => (string?)s.Tag("comfyui.prompt_id") == first.PromptId).ParentSpanId);
        Assert.Equal(["SaveImage", "SdkTestProgressImage"], run.EventsNamed("comfyui.node.executed").Select(e => (string)e.Tag("comfyui.node.class_type")!).Order(StringComparer.Ordinal));
        var progress = run.EventsNamed("comfyui.progress").Select(e => (double)e.Tag("comfyui.progress.value")!).ToList();
        Assert.Equal(1.0, progress[0]);
        Assert.Equal(6.0, progress[^1]);
        Assert.Equal(2, telemetry.Spans.Count(s => s.ParentSpanId == run.SpanId && s.OperationName.StartsWith("comfyui.node ", StringComparison.Ordinal)));
        // The image node sleeps 6 × 0.05 s: its duration says so.
        Assert.True((double)run.EventsNamed("comfyui.node.executed").Single(e => (string?)e.Tag("comfyui.node.class_type") == "SdkTestProgressImage").Tag("comfyui.node.duration")! >= 0.25);

        var cached = telemetry.Run(second.PromptId);
        Assert.Equal(2, cached.Tag("comfyui.run.cached_nodes"));
        Assert.Empty(cached.EventsNamed("comfyui.node.executed"));

        var port = proxy.BaseAddress.Port;
        Assert.Equal([0.0, 2.0], telemetry.Measurements("comfyui.run.cached_nodes", port).Select(m => m.Value));
        Assert.Equal(2, telemetry.Measurements("comfyui.runs", port).Sum(m => m.Value));
        Assert.All(telemetry.Measurements("comfyui.run.queue.duration", port).Concat(telemetry.Measurements("comfyui.run.execution.duration", port)),
            m => Assert.Equal("server", m["comfyui.timing.source"]));
        Assert.True(telemetry.Measurements("comfyui.run.execution.duration", port)[0].Value >= 0.25);
        Assert.Equal(2, telemetry.Measurements("comfyui.node.duration", port).Count);
    }

    [Fact]
    public async Task A_failing_run_ends_its_span_in_error_with_the_servers_exception_type()
    {
        using var probe = Live.Client();
        using var telemetry = new TelemetryCollector();
        await using var proxy = new TcpFaultProxy(Live.Url!);
        await using var client = ThroughProxy(proxy);
        var workflow = new WorkflowBuilder()
            .Add("SdkTestRaiseError", n => n.Set("message", "live telemetry").Set("exception_type", "ValueError").Set("seed", Live.FreshSeed()))
            .Build();

        var run = await client.SubmitAsync(workflow, cancellationToken: Live.Ct);
        var result = await run.Completion.WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(probe, run.PromptId);

        Assert.Equal(PromptStatus.Failed, result.Status);
        var span = telemetry.Run(run.PromptId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("ValueError", span.Tag("error.type"));
        var error = Assert.Single(span.EventsNamed("comfyui.error"));
        Assert.Equal("SdkTestRaiseError", error.Tag("comfyui.node.class_type"));
        var counted = Assert.Single(telemetry.Measurements("comfyui.runs", proxy.BaseAddress.Port));
        Assert.Equal("failed", counted["comfyui.run.status"]);
        Assert.Equal("ValueError", counted["error.type"]);
    }

    [Fact]
    public async Task A_cancelled_run_is_not_an_error_and_shows_the_cancel()
    {
        using var probe = Live.Client();
        using var telemetry = new TelemetryCollector();
        await using var proxy = new TcpFaultProxy(Live.Url!);
        await using var client = ThroughProxy(proxy);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Live.Ct);
        var slow = new WorkflowBuilder()
            .Add("SdkTestSlow", n => n.Set("seconds", 30.0).Set("poll_seconds", 0.05).Set("report_progress", true).Set("seed", Live.FreshSeed()))
            .Build();

        var run = await client.SubmitAsync(slow, cancellationToken: cts.Token);
        await Live.FirstProgressAsync(run).WaitAsync(Live.Deadline, Live.Ct);
        await cts.CancelAsync();
        var result = await run.Completion.WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(probe, run.PromptId);

        Assert.Equal(PromptStatus.Cancelled, result.Status);
        var span = telemetry.Run(run.PromptId);
        Assert.Equal("cancelled", span.Tag("comfyui.run.status"));
        Assert.Null(span.Tag("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Single(span.EventsNamed("comfyui.cancel_requested"));
        Assert.Equal("cancelled", Assert.Single(telemetry.Measurements("comfyui.runs", proxy.BaseAddress.Port))["comfyui.run.status"]);
    }

    [Fact]
    public async Task Connections_cut_mid_run_show_the_drop_the_reconnect_and_the_check_and_the_run_still_succeeds()
    {
        using var probe = Live.Client();
        using var telemetry = new TelemetryCollector();
        await using var proxy = new TcpFaultProxy(Live.Url!);
        await using var client = ThroughProxy(proxy);

        var run = await client.SubmitAsync(Steps(Live.FreshSeed(), delay: 0.2), cancellationToken: Live.Ct);
        await Live.FirstProgressAsync(run).WaitAsync(Live.Deadline, Live.Ct);
        proxy.CutAll();
        var result = await run.WaitAsync(Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        await Live.ForgetAsync(probe, run.PromptId);

        Assert.Single(result.Images);
        var span = telemetry.Run(run.PromptId);
        Assert.Equal("succeeded", span.Tag("comfyui.run.status"));
        var names = span.Events.Select(e => e.Name).ToList();
        var dropped = names.IndexOf("comfyui.websocket.disconnected");
        Assert.True(dropped > 0 && names.IndexOf("comfyui.websocket.reconnected") > dropped, string.Join(", ", names));
        Assert.Contains(span.EventsNamed("comfyui.reconciled"), e => (string?)e.Tag("comfyui.reconcile.reason") == "reconnected");
        Assert.True(telemetry.Measurements("comfyui.websocket.reconnects", proxy.BaseAddress.Port).Sum(m => m.Value) >= 1);
    }
}
