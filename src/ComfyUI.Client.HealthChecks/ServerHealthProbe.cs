using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComfyUI.Client.HealthChecks;

/// <summary>
/// One server's health: whether it answers (<c>GET /api/prompt</c>), its queue, its version, RAM and VRAM (<c>/system_stats</c>), and the state of the
/// client's run socket, as a <see cref="HealthCheckResult"/> whose data carries every value read. Shared by <see cref="ComfyUIHealthCheck"/> and the
/// pool's check (one call per server).
/// </summary>
internal static class ServerHealthProbe
{
    private const double GiB = 1024d * 1024 * 1024;

    /// <summary>
    /// Checks the server of <paramref name="client"/>: <see cref="HealthStatus.Unhealthy"/> when it does not answer as ComfyUI does,
    /// <see cref="HealthStatus.Degraded"/> when it answers but crosses a limit of <paramref name="options"/>, otherwise <see cref="HealthStatus.Healthy"/>.
    /// Data keys: <c>server</c>, <c>queue_remaining</c>, <c>websocket</c>, and from <c>/system_stats</c> <c>comfyui_version</c>, <c>ram_total</c>,
    /// <c>ram_free</c>, <c>vram_total</c>, <c>vram_free</c>, <c>device</c> (bytes; the device ComfyUI runs on).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the health check's timeout).</exception>
    public static async Task<HealthCheckResult> CheckAsync(ComfyUIClient client, ComfyUIHealthCheckOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var server = Describe(client.BaseAddress);
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["server"] = server };
        QueueStatus status;
        try
        {
            status = await client.Queue.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsServerFailure(ex, cancellationToken))
        {
            return HealthCheckResult.Unhealthy($"ComfyUI at {server} did not answer GET /api/prompt: {ex.Message}", ex, data);
        }

        var problems = new List<string>();
        var queue = status.ExecInfo.QueueRemaining;
        data["queue_remaining"] = queue;
        if (options.MaxQueueDepth is { } maxQueue && queue > maxQueue)
        {
            problems.Add($"{queue} prompts queued (more than {maxQueue})");
        }

        var socket = client.RunSocketState;
        var socketName = socket is { } state ? state.ToString().ToLowerInvariant() : "not_open";
        data["websocket"] = socketName;
        if (options.SocketDownIsDegraded && socket is { } open && open != ComfyWebSocketState.Connected)
        {
            problems.Add($"the runs' WebSocket is {socketName} (runs are followed by polling)");
        }

        var summary = new List<string> { queue == 1 ? "1 prompt queued" : $"{queue} prompts queued" };
        string? version = null;
        if (options.ReadSystemStats)
        {
            try
            {
                var stats = await client.Discovery.GetSystemStatsAsync(cancellationToken).ConfigureAwait(false);
                version = stats.System.ComfyuiVersion;
                AddSystemStats(stats, options, data, summary, problems);
            }
            catch (Exception ex) when (IsServerFailure(ex, cancellationToken))
            {
                problems.Add($"GET /api/system_stats failed ({ex.Message})");
            }
        }

        summary.Add($"WebSocket {socketName.Replace('_', ' ')}");
        var description = $"ComfyUI{(version is null ? "" : " " + version)} at {server}: {string.Join(", ", summary)}";
        return problems.Count == 0
            ? HealthCheckResult.Healthy(description, data)
            : HealthCheckResult.Degraded($"{description}. Degraded: {string.Join("; ", problems)}.", null, data);
    }

    /// <summary>The server as <c>host:port/base-path</c>: never user info, query or headers (no secret reaches a health report).</summary>
    public static string Describe(Uri baseAddress) =>
        baseAddress.IdnHost + ":" + baseAddress.Port.ToString(CultureInfo.InvariantCulture) + baseAddress.AbsolutePath.TrimEnd('/');

    /// <summary>Whether an exception says the server failed (down, slow, answering errors or garbage) rather than the check being cancelled.</summary>
    public static bool IsServerFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is ComfyUIException or HttpRequestException or IOException or SocketException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static void AddSystemStats(SystemStats stats, ComfyUIHealthCheckOptions options, Dictionary<string, object> data, List<string> summary, List<string> problems)
    {
        if (stats.System.ComfyuiVersion is { } version)
        {
            data["comfyui_version"] = version;
        }

        if (stats.Devices.Count > 0 && stats.Devices[0] is { } device)
        {
            data["device"] = device.Name ?? device.Type ?? "unknown";
            if (device.VramTotal is { } vramTotal && device.VramFree is { } vramFree)
            {
                data["vram_total"] = vramTotal;
                data["vram_free"] = vramFree;
                summary.Add(string.Create(CultureInfo.InvariantCulture, $"{vramFree / GiB:0.0} of {vramTotal / GiB:0.0} GiB VRAM free"));
                if (options.MinFreeVram is { } minVram && vramFree < minVram)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"{vramFree / GiB:0.00} GiB VRAM free (less than {minVram / GiB:0.00} GiB)"));
                }
            }
        }

        if (stats.System.RamTotal is { } ramTotal && stats.System.RamFree is { } ramFree)
        {
            data["ram_total"] = ramTotal;
            data["ram_free"] = ramFree;
            summary.Add(string.Create(CultureInfo.InvariantCulture, $"{ramFree / GiB:0.0} of {ramTotal / GiB:0.0} GiB RAM free"));
            if (options.MinFreeRam is { } minRam && ramFree < minRam)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{ramFree / GiB:0.00} GiB RAM free (less than {minRam / GiB:0.00} GiB)"));
            }
        }
    }
}
