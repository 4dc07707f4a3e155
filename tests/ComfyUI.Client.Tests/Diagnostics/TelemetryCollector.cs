using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ComfyUI.Client.Tests.Diagnostics;

/// <summary>
/// What a user's <see cref="ActivityListener"/> and <see cref="MeterListener"/> on <c>ComfyUI.Client</c> see, kept apart from the other tests running
/// at the same time: spans by the trace of this collector's own root span (made current for the test), measurements by the server's port.
/// </summary>
internal sealed class TelemetryCollector : IDisposable
{
    private const string TestSourceName = "ComfyUI.Client.Tests.Telemetry";

    // Created after the first listener is attached (by name), so that listener sees it.
    private static readonly Lazy<ActivitySource> TestSource = new(() => new ActivitySource(TestSourceName));

    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measured> _measured = new();

    public TelemetryCollector()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = static source => source.Name is ComfyUIDiagnostics.ActivitySourceName or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ComfyUIDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _meters.Start();
        Root = TestSource.Value.StartActivity("test") ?? throw new InvalidOperationException("The test source has no listener.");
    }

    /// <summary>The test's own span: current from the constructor on, the parent of every run the test submits.</summary>
    public Activity Root { get; }

    /// <summary>Every ended span of the test's trace.</summary>
    public IReadOnlyList<Activity> Spans => [.. _stopped.Where(a => a.TraceId == Root.TraceId && !ReferenceEquals(a, Root))];

    /// <summary>The ended spans named <paramref name="name"/>.</summary>
    public IReadOnlyList<Activity> SpansNamed(string name) => [.. Spans.Where(a => a.OperationName == name)];

    /// <summary>The one ended <c>comfyui.run</c> span of a prompt.</summary>
    public Activity Run(string promptId) => Assert.Single(SpansNamed("comfyui.run"), a => (string?)a.GetTagItem("comfyui.prompt_id") == promptId);

    /// <summary>Reads the observable instruments now.</summary>
    public void Collect() => _meters.RecordObservableInstruments();

    /// <summary>The measurements of an instrument for the server on <paramref name="port"/>.</summary>
    public IReadOnlyList<Measured> Measurements(string instrument, int port) =>
        [.. _measured.Where(m => m.Instrument == instrument && m.Tags.TryGetValue("server.port", out var p) && p is int value && value == port)];

    /// <summary>Every measurement of any instrument for the server on <paramref name="port"/>.</summary>
    public IReadOnlyList<Measured> AllMeasurements(int port) =>
        [.. _measured.Where(m => m.Tags.TryGetValue("server.port", out var p) && p is int value && value == port)];

    public void Dispose()
    {
        Root.Stop();
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measured.Enqueue(new Measured(instrument.Name, instrument.Unit, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}

/// <summary>One measurement: instrument, unit, value and tags.</summary>
internal sealed record Measured(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? this[string tag] => Tags.GetValueOrDefault(tag);
}

/// <summary>Reading spans in assertions.</summary>
internal static class SpanReading
{
    public static object? Tag(this Activity span, string name) => span.GetTagItem(name);

    public static IReadOnlyList<ActivityEvent> EventsNamed(this Activity span, string name) => [.. span.Events.Where(e => e.Name == name)];

    public static object? Tag(this ActivityEvent e, string name) => e.Tags.FirstOrDefault(t => t.Key == name).Value;
}
