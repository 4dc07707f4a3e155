using System.Diagnostics;
using System.Diagnostics.Metrics;
using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// The SDK's instruments, created once on <see cref="ComfyTelemetry.Meter"/> (OpenTelemetry style: durations in seconds, low-cardinality
/// attributes, never a prompt id). Nothing here duplicates what <c>System.Net.Http</c> meters (request durations, connections).
/// Callers check <see cref="Instrument.Enabled"/> before building tags, so an instrument nobody listens to costs nothing.
/// </summary>
internal static class ComfyMetrics
{
    // Seconds: from a cached prompt (milliseconds) to a long video (an hour).
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
    private static readonly int[] NodeCountBuckets = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

    public static readonly Histogram<double> RunDuration =
        Seconds(TelemetryNames.RunDuration, "Duration of a tracked run, from its submission to its terminal state.");

    public static readonly Histogram<double> QueueDuration =
        Seconds(TelemetryNames.QueueDuration, "Time a prompt waited in the server's queue before it started (the server's own timestamps where it records them).");

    public static readonly Histogram<double> ExecutionDuration =
        Seconds(TelemetryNames.ExecutionDuration, "Time the server executed a prompt, from its start to its end (the server's own timestamps where it records them).");

    public static readonly Histogram<double> NodeDuration =
        Seconds(TelemetryNames.NodeDurationMetric, "Execution time of one node, by class type (from its 'executing' message to the next).");

    public static readonly Counter<long> Runs =
        ComfyTelemetry.Meter.CreateCounter<long>(TelemetryNames.Runs, "{run}", "Tracked runs that reached a terminal state, by outcome.");

    public static readonly Histogram<int> CachedNodes = Count(TelemetryNames.CachedNodes, "{node}", "Nodes of a run the server answered from its cache.");

    public static readonly Counter<long> ValidationErrors =
        ComfyTelemetry.Meter.CreateCounter<long>(TelemetryNames.ValidationErrors, "{error}", "Validation errors of prompts the server rejected, by the server's error type.");

    public static readonly Counter<long> SocketReconnects =
        ComfyTelemetry.Meter.CreateCounter<long>(TelemetryNames.SocketReconnects, "{reconnect}", "WebSocket reconnects (each connection that came back).");

    public static readonly ObservableUpDownCounter<long> SocketConnections = ComfyTelemetry.Meter.CreateObservableUpDownCounter(
        TelemetryNames.SocketConnections, SocketRegistry.MeasureConnections, "{connection}", "Open WebSockets (one per server and client id in the process), by state.");

    public static readonly Counter<long> FileIo =
        ComfyTelemetry.Meter.CreateCounter<long>(TelemetryNames.FileIo, "By", "File bytes downloaded (/view, user data) and uploaded (images, masks, user data).");

    /// <summary>Whether any instrument a run records is listened to (a run then keeps its timings even without tracing).</summary>
    public static bool RunInstrumentsEnabled =>
        RunDuration.Enabled || Runs.Enabled || QueueDuration.Enabled || ExecutionDuration.Enabled || NodeDuration.Enabled || CachedNodes.Enabled;

    /// <summary>Makes sure the instruments exist (so listeners see them before the first run).</summary>
    public static void EnsureCreated() => GC.KeepAlive(SocketConnections);

    /// <summary>Counts the file bytes of one transfer.</summary>
    public static void RecordFileBytes(ServerEndpoint server, long bytes, bool upload)
    {
        if (bytes <= 0 || !FileIo.Enabled)
        {
            return;
        }

        var tags = server.Tags();
        tags.Add(TelemetryNames.IoDirection, upload ? "transmit" : "receive");
        FileIo.Add(bytes, tags);
    }

    /// <summary>Counts the validation errors of a rejected prompt: one per node error detail, or one for the prompt as a whole.</summary>
    public static void RecordValidationErrors(ServerEndpoint server, ComfyUIPromptValidationException rejected)
    {
        if (!ValidationErrors.Enabled)
        {
            return;
        }

        var any = false;
        foreach (var nodeError in rejected.NodeErrors.Values)
        {
            foreach (var detail in nodeError.Errors)
            {
                Add(string.IsNullOrEmpty(detail.Type) ? TelemetryNames.OtherValue : detail.Type);
                any = true;
            }
        }

        if (!any)
        {
            Add(rejected.ErrorType is { Length: > 0 } type ? type : TelemetryNames.OtherValue);
        }

        void Add(string type)
        {
            var tags = server.Tags();
            tags.Add(TelemetryNames.ErrorType, type);
            ValidationErrors.Add(1, tags);
        }
    }

    private static Histogram<double> Seconds(string name, string description) =>
#if NET9_0_OR_GREATER
        ComfyTelemetry.Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
#else
        ComfyTelemetry.Meter.CreateHistogram<double>(name, "s", description);
#endif

    private static Histogram<int> Count(string name, string unit, string description) =>
#if NET9_0_OR_GREATER
        ComfyTelemetry.Meter.CreateHistogram(name, unit, description, tags: null, new InstrumentAdvice<int> { HistogramBucketBoundaries = NodeCountBuckets });
#else
        ComfyTelemetry.Meter.CreateHistogram<int>(name, unit, description);
#endif
}
