using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using ComfyUI.Client.Diagnostics;

namespace ComfyUI.Client.Benchmarks;

/// <summary>
/// What telemetry costs a run, with nothing listening and with an <see cref="ActivityListener"/> and a <see cref="MeterListener"/> attached to
/// <c>ComfyUI.Client</c> (as the OpenTelemetry SDK attaches them). <c>MessagePath</c> is the hot path: one WebSocket frame routed to its run
/// (<see cref="PromptRun"/>'s message handler, the one telemetry seam messages pass) for a live preview, which the run hands to its readers and does
/// not keep: its allocation must be the same with and without listeners (the preview event the run hands out). <c>MessageSeam_Progress</c> is the
/// seam alone for a progress step of a node already reported (throttled: no span event): nothing allocated either way. <c>Seams</c> is every check a
/// run makes at submission (without listeners: no allocation; with them: the spans).
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly PreviewImageMessage _preview = new() { PromptId = "p1", Format = 1, MimeType = "image/jpeg", Image = new byte[16] };
    private readonly ProgressMessage _progress = new() { PromptId = "p1", Node = "1", Value = 5, Max = 20 };
    private ComfyUIClient _client = null!;
    private PromptRun _run = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;
    private JsonObject _prompt = null!;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Listening)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == ComfyUIDiagnostics.ActivitySourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
            _meters = new MeterListener { InstrumentPublished = (i, l) => l.EnableMeasurementEvents(i) };
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<int>(static (_, _, _, _) => { });
            _meters.Start();
        }

        // Nothing answers on this port; the run is never started, so it makes no call.
        _client = new ComfyUIClient(new Uri("http://127.0.0.1:9/"));
        _prompt = new WorkflowBuilder().Add("SdkTestProgressImage", n => n.Set("steps", 20)).Build().ToJsonObject();
        _run = new PromptRun(_client, _client.RunHub, "p1", new PromptOptions(), CancellationToken.None, RunTelemetry.Start(_client.Pipeline, _prompt, "p1"));
        _run.OnMessage(new ExecutingMessage { PromptId = "p1", Node = "1" });
        _run.OnMessage(_progress with { Value = 1 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        _client.Dispose();
    }

    [Benchmark]
    public void MessagePath_Preview() => _run.OnMessage(_preview);

    /// <summary>The seam alone for a progress step (what the run adds to its own handling of the step): null while nobody listens, throttled when someone does.</summary>
    [Benchmark]
    public void MessageSeam_Progress() => _run.Telemetry?.Message(_progress);

    [Benchmark]
    public bool Seams()
    {
        var run = RunTelemetry.Start(_client.Pipeline, _prompt, "p2");
        var submit = ClientSpans.StartSubmit(_client.Pipeline.Server);
        ComfyMetrics.RecordFileBytes(_client.Pipeline.Server, 1, upload: false);
        var any = run is not null || submit is not null;
        submit?.Stop();
        run?.Activity?.Stop();
        return any;
    }
}
