using ComfyUI.Client.Testing;
using static ComfyUI.Client.Tests.Diagnostics.RunTracingTests;

namespace ComfyUI.Client.Tests.Diagnostics;

/// <summary>The values a user's <see cref="System.Diagnostics.Metrics.MeterListener"/> on <c>ComfyUI.Client</c> reads for runs on the fake server.</summary>
public sealed class RunMetricsTests
{
    private static readonly TimeSpan Deadline = Waits.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_identical_runs_record_durations_in_seconds_from_the_servers_clock_and_the_second_has_every_node_cached()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "metrics-cached");
        var port = server.BaseAddress.Port;

        var first = await client.RunAsync(ProgressWorkflow(201), cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var second = await client.RunAsync(ProgressWorkflow(201), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        var runs = telemetry.Measurements("comfyui.runs", port);
        Assert.Equal(2, runs.Sum(m => m.Value));
        Assert.All(runs, m => Assert.Equal("succeeded", m["comfyui.run.status"]));
        Assert.All(runs, m => Assert.False(m.Tags.ContainsKey("error.type")));
        Assert.Equal([0.0, 4.0], telemetry.Measurements("comfyui.run.cached_nodes", port).Select(m => m.Value));
        Assert.Equal(2, telemetry.Measurements("comfyui.run.duration", port).Count);
        var nodes = telemetry.Measurements("comfyui.node.duration", port);
        Assert.Equal(["SaveImage", "SdkTestImageSize", "SdkTestProgressImage", "SdkTestTextOutput"], nodes.Select(m => (string)m["comfyui.node.class_type"]!).Order(StringComparer.Ordinal));
        var queue = telemetry.Measurements("comfyui.run.queue.duration", port);
        var execution = telemetry.Measurements("comfyui.run.execution.duration", port);
        Assert.Equal(2, queue.Count);
        Assert.Equal(2, execution.Count);
        Assert.All(queue.Concat(execution), m => Assert.Equal("server", m["comfyui.timing.source"]));
        Assert.All(execution, m => Assert.Equal("succeeded", m["comfyui.run.status"]));
        var all = telemetry.AllMeasurements(port);
        Assert.All(all.Where(m => m.Instrument.EndsWith(".duration", StringComparison.Ordinal)), m =>
        {
            Assert.Equal("s", m.Unit);
            Assert.InRange(m.Value, 0, Deadline.TotalSeconds);
        });
        // Never a prompt id (or anything of the prompt) on a metric: attributes stay low-cardinality.
        Assert.All(all, m => Assert.DoesNotContain(m.Tags.Values, v => v is string s && (s == first.PromptId || s == second.PromptId)));
        Assert.All(all, m => Assert.Empty(m.Tags.Keys.Except(["server.address", "server.port", "comfyui.run.status", "error.type",
            "comfyui.node.class_type", "comfyui.timing.source", "comfyui.websocket.state", "network.io.direction"])));
    }

    [Fact]
    public async Task Outcomes_are_counted_by_status_and_error_type_and_a_run_cancelled_in_the_queue_records_no_queue_wait()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "metrics-outcomes");
        using var other = CreateClient(server, "metrics-someone-else");
        var port = server.BaseAddress.Port;
        var hold = server.Faults.HoldNode("SdkTestSlow");

        var failing = new WorkflowBuilder().Add("SdkTestRaiseError", n => n.Set("message", "m").Set("exception_type", "ValueError").Set("seed", 202)).Build();
        var failed = await (await client.SubmitAsync(failing, cancellationToken: Ct)).Completion.WaitAsync(Deadline, Ct);
        var blocker = await other.SubmitAsync(SlowWorkflow(203), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pending = await client.SubmitAsync(ProgressWorkflow(204), cancellationToken: cts.Token);
        await cts.CancelAsync();
        var cancelled = await pending.Completion.WaitAsync(Deadline, Ct);
        await other.Queue.InterruptAsync(blocker.PromptId, Ct);
        hold.Release();
        await blocker.Completion.WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Failed, failed.Status);
        Assert.Equal(PromptStatus.Cancelled, cancelled.Status);
        var runs = telemetry.Measurements("comfyui.runs", port)
            .Select(m => $"{m["comfyui.run.status"]}/{m["error.type"]}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["cancelled/", "failed/ValueError", "interrupted/interrupted"], runs);
        // The cancelled run never left the queue: three durations, two queue waits (the failed and the interrupted run).
        Assert.Equal(3, telemetry.Measurements("comfyui.run.duration", port).Count);
        Assert.Equal(2, telemetry.Measurements("comfyui.run.queue.duration", port).Count);
        Assert.DoesNotContain(telemetry.Measurements("comfyui.run.execution.duration", port), m => (string?)m["comfyui.run.status"] == "cancelled");
    }

    [Fact]
    public async Task A_lost_run_is_counted_as_lost()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "metrics-lost");
        var hold = server.Faults.HoldNode("SdkTestSlow");

        var run = await client.SubmitAsync(SlowWorkflow(205), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await server.Faults.RestartAsync(keepHistory: true, Ct);
        await run.Completion.WaitAsync(Deadline, Ct);

        var counted = Assert.Single(telemetry.Measurements("comfyui.runs", server.BaseAddress.Port));
        Assert.Equal("lost", counted["comfyui.run.status"]);
        Assert.Equal("lost", counted["error.type"]);
    }

    [Fact]
    public async Task Validation_errors_are_counted_by_the_servers_type_one_per_node_error()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "metrics-validation");
        var unknownClass = new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build();
        var missingInputs = new WorkflowBuilder()
            .Add("SaveImage", n => n.Set("filename_prefix", "a"))
            .Add("SaveImage", n => n.Set("filename_prefix", "b"))
            .Build();

        var rejected = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(unknownClass, cancellationToken: Ct));
        var invalid = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.Queue.QueuePromptAsync(new QueuePromptRequest { Prompt = missingInputs.ToJsonObject() }, Ct));

        var counted = telemetry.Measurements("comfyui.prompt.validation_errors", server.BaseAddress.Port);
        Assert.Equal(1, counted.Where(m => (string?)m["error.type"] == "missing_node_type").Sum(m => m.Value));
        var details = invalid.NodeErrors.Values.SelectMany(e => e.Errors).ToList();
        Assert.Equal(2, details.Count);
        Assert.Equal(details.Count, counted.Where(m => (string?)m["error.type"] == details[0].Type).Sum(m => m.Value));
        Assert.Equal("missing_node_type", rejected.ErrorType);
        Assert.Empty(telemetry.Measurements("comfyui.runs", server.BaseAddress.Port));
    }

    [Fact]
    public async Task Socket_reconnects_are_counted_and_open_sockets_are_observed_by_state()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "metrics-socket");
        var port = server.BaseAddress.Port;
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var subscription = socket.Subscribe();

        telemetry.Collect();
        var open = Assert.Single(telemetry.Measurements("comfyui.websocket.connections", port));
        Assert.Equal(1, open.Value);
        Assert.Equal("connected", open["comfyui.websocket.state"]);

        server.Faults.DropWebSockets();
        await subscription.ReadAllAsync(Ct).OfType<ReconnectedMessage>().FirstAsync(Ct).AsTask().WaitAsync(Deadline, Ct);

        Assert.Equal(1, telemetry.Measurements("comfyui.websocket.reconnects", port).Sum(m => m.Value));
    }

    [Fact]
    public async Task File_bytes_are_counted_by_direction_and_downloads_and_uploads_are_spans()
    {
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server, "metrics-files");
        var port = server.BaseAddress.Port;
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

        var uploaded = await client.Files.UploadImageAsync(new MemoryStream(png), "telemetry-pixel.png", cancellationToken: Ct);
        using var copy = new MemoryStream();
        await client.Files.DownloadAsync(new OutputFile { Filename = uploaded.Name, Subfolder = uploaded.Subfolder, Type = "input" }, copy, Ct);

        Assert.Equal(png, copy.ToArray());
        var io = telemetry.Measurements("comfyui.file.io", port);
        Assert.All(io, m => Assert.Equal("By", m.Unit));
        Assert.Equal(png.Length, io.Where(m => (string?)m["network.io.direction"] == "transmit").Sum(m => m.Value));
        Assert.Equal(png.Length, io.Where(m => (string?)m["network.io.direction"] == "receive").Sum(m => m.Value));
        var upload = Assert.Single(telemetry.SpansNamed("comfyui.upload"));
        Assert.Equal((long)png.Length, upload.Tag("comfyui.file.size"));
        Assert.Equal(telemetry.Root.SpanId, upload.ParentSpanId);
        var download = Assert.Single(telemetry.SpansNamed("comfyui.download"));
        Assert.Equal((long)png.Length, download.Tag("comfyui.file.size"));
        Assert.Equal("input", download.Tag("comfyui.file.type"));
    }
}
