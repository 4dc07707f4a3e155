using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ComfyUI.Client.Diagnostics;

namespace ComfyUI.Client;

/// <summary>
/// The pools' observable instruments, created once for the process: each callback reads the live pools (a weak registry: a pool joins when it
/// is created and leaves when it is disposed or collected) and reports one measurement per server, tagged <c>server.address</c> and <c>server.port</c>.
/// </summary>
internal static class PoolMetrics
{
    private static readonly ConditionalWeakTable<ComfyUIPool, object> Pools = new();
    private static readonly string[] HealthValues = ["healthy", "degraded", "unhealthy"];

    private static readonly ObservableGauge<long> QueueDepth = ComfyTelemetry.Meter.CreateObservableGauge(
        TelemetryNames.PoolQueueDepth,
        static () => Measure<long>(static state => [new Measurement<long>(state.QueueRemaining, Endpoint(state))]),
        "{prompt}",
        "A pool server's queue (pending and running prompts) as the pool last saw it.");

    private static readonly ObservableUpDownCounter<long> ActiveRuns = ComfyTelemetry.Meter.CreateObservableUpDownCounter(
        TelemetryNames.PoolActiveRuns,
        static () => Measure<long>(static state => [new Measurement<long>(state.InFlight, Endpoint(state))]),
        "{run}",
        "Prompts a pool has in flight (queued or running) on a server.");

    private static readonly ObservableGauge<int> Health = ComfyTelemetry.Meter.CreateObservableGauge(
        TelemetryNames.PoolServerHealth,
        static () => Measure<int>(HealthOf),
        "1",
        "1 for a pool server's current health (comfyui.server.health: healthy, degraded, unhealthy), 0 for the other two.");

    /// <summary>A pool joins the instruments' callbacks (and the instruments exist from now on).</summary>
    public static void Register(ComfyUIPool pool)
    {
        GC.KeepAlive(QueueDepth);
        GC.KeepAlive(ActiveRuns);
        GC.KeepAlive(Health);
        Pools.AddOrUpdate(pool, Pools);
    }

    /// <summary>A disposed pool leaves them.</summary>
    public static void Unregister(ComfyUIPool pool) => Pools.Remove(pool);

    private static List<Measurement<T>> Measure<T>(Func<PoolServerState, IEnumerable<Measurement<T>>> measure)
        where T : struct
    {
        var measurements = new List<Measurement<T>>();
        foreach (var (pool, _) in Pools)
        {
            foreach (var state in pool.Servers)
            {
                measurements.AddRange(measure(state));
            }
        }

        return measurements;
    }

    private static IEnumerable<Measurement<int>> HealthOf(PoolServerState state)
    {
        var current = state.Health switch
        {
            PoolServerHealth.Healthy => 0,
            PoolServerHealth.Degraded => 1,
            PoolServerHealth.Unhealthy => 2,
            _ => -1, // not checked yet: 0 for all three
        };
        for (var i = 0; i < HealthValues.Length; i++)
        {
            var tags = Endpoint(state);
            tags.Add(TelemetryNames.ServerHealth, HealthValues[i]);
            yield return new Measurement<int>(i == current ? 1 : 0, tags);
        }
    }

    private static TagList Endpoint(PoolServerState state) => ServerEndpoint.From(state.Address).Tags();
}
