using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComfyUI.Client.HealthChecks;

/// <summary>
/// The health of one ComfyUI server: unhealthy (the registration's failure status) when it does not answer as ComfyUI does, degraded when it crosses a
/// limit of <see cref="ComfyUIHealthCheckOptions"/> or its run socket is down, healthy otherwise. The result's data carries the server
/// (<c>host:port</c>), <c>queue_remaining</c>, <c>websocket</c> (the runs' socket: connected, reconnecting, … or not_open) and, from
/// <c>/system_stats</c>, <c>comfyui_version</c>, <c>device</c>, <c>vram_total</c>, <c>vram_free</c>, <c>ram_total</c> and <c>ram_free</c> (bytes).
/// Register it with <c>services.AddHealthChecks().AddComfyUI()</c>.
/// </summary>
public sealed class ComfyUIHealthCheck : IHealthCheck
{
    private readonly ComfyUIClient _client;
    private readonly ComfyUIHealthCheckOptions _options;

    /// <summary>Creates the check for a client's server.</summary>
    /// <param name="client">The client of the server to check.</param>
    /// <param name="options">When the server counts as degraded, or <see langword="null"/> for the defaults.</param>
    public ComfyUIHealthCheck(ComfyUIClient client, ComfyUIHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new ComfyUIHealthCheckOptions();
    }

    /// <summary>Checks the server.</summary>
    /// <param name="context">The registration (its failure status is used for a server that does not answer).</param>
    /// <param name="cancellationToken">The check's timeout or the host's shutdown.</param>
    /// <returns>The result, with the values read in its data.</returns>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await ServerHealthProbe.CheckAsync(_client, _options, cancellationToken).ConfigureAwait(false);
        return result.Status == HealthStatus.Unhealthy
            ? new HealthCheckResult(context.Registration.FailureStatus, result.Description, result.Exception, result.Data)
            : result;
    }
}
