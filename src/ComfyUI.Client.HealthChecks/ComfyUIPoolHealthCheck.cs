using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComfyUI.Client.HealthChecks;

/// <summary>
/// The health of a <see cref="ComfyUIPool"/>: each server is checked as <see cref="ComfyUIHealthCheck"/> checks one (through the pool's client of
/// it); healthy when every server is, degraded when some are down or degraded, the registration's failure status when none answers (or the pool
/// has no server). The data carries <c>servers</c>, <c>servers_up</c> and, per server name, its status (<c>healthy</c>, <c>degraded</c>,
/// <c>unhealthy</c>, with <c>, draining</c> when it is). Register it with <c>services.AddHealthChecks().AddComfyUIPool()</c>.
/// </summary>
public sealed class ComfyUIPoolHealthCheck : IHealthCheck
{
    private readonly ComfyUIPool _pool;
    private readonly ComfyUIHealthCheckOptions _options;

    /// <summary>Creates the check for a pool.</summary>
    /// <param name="pool">The pool whose servers to check.</param>
    /// <param name="options">When a server counts as degraded, or <see langword="null"/> for the defaults.</param>
    public ComfyUIPoolHealthCheck(ComfyUIPool pool, ComfyUIHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _options = options ?? new ComfyUIHealthCheckOptions();
    }

    /// <summary>Checks every server of the pool at once.</summary>
    /// <param name="context">The registration (its failure status is used when no server answers).</param>
    /// <param name="cancellationToken">The check's timeout or the host's shutdown.</param>
    /// <returns>The pool's verdict, with each server's status in its data.</returns>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var servers = _pool.Servers;
        var results = await Task.WhenAll(servers.Select(server => ServerHealthProbe.CheckAsync(_pool.GetClient(server.Name), _options, cancellationToken)))
            .ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["servers"] = servers.Count };
        var up = 0;
        var problems = new List<string>();
        for (var i = 0; i < servers.Count; i++)
        {
            var status = results[i].Status;
            up += status == HealthStatus.Unhealthy ? 0 : 1;
            data[servers[i].Name] = status.ToString().ToLowerInvariant() + (servers[i].IsDraining ? ", draining" : "");
            if (status != HealthStatus.Healthy)
            {
                problems.Add($"{servers[i].Name}: {results[i].Description}");
            }
        }

        data["servers_up"] = up;
        var summary = $"{up} of {servers.Count} ComfyUI servers up" + (problems.Count > 0 ? "; " + string.Join("; ", problems) : "");
        if (up == 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, servers.Count == 0 ? "The pool has no server." : summary, data: data);
        }

        return problems.Count == 0 ? HealthCheckResult.Healthy(summary, data) : HealthCheckResult.Degraded(summary, data: data);
    }
}
