using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComfyUI.Client.HealthChecks;

/// <summary>
/// Whether a ComfyUI server is ready to take prompts, for a readiness probe: while the server is starting, the check waits for it (at most
/// <see cref="ComfyUIReadinessOptions.CheckWait"/> per check; one shared wait of up to <see cref="ComfyUIReadinessOptions.StartupTimeout"/> in the
/// background, so probes never pile up) and answers "not ready yet" with the registration's failure status; once the server has answered, each
/// check is one quick probe. Register it with <c>services.AddHealthChecks().AddComfyUIReadiness(tags: ["ready"])</c>.
/// </summary>
public sealed class ComfyUIReadinessCheck : IHealthCheck
{
    private readonly ComfyUIClient _client;
    private readonly ComfyUIReadinessOptions _options;
    private readonly ReadinessGate _gate;
    private readonly TimeProvider _time;

    /// <summary>Creates the check for a client's server (keep the instance: the wait for the server is shared by its checks).</summary>
    /// <param name="client">The client of the server to wait for.</param>
    /// <param name="options">How long to wait, or <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system's.</param>
    public ComfyUIReadinessCheck(ComfyUIClient client, ComfyUIReadinessOptions? options = null, TimeProvider? timeProvider = null)
        : this(client, options, new ReadinessGate(timeProvider ?? TimeProvider.System), timeProvider)
    {
    }

    internal ComfyUIReadinessCheck(ComfyUIClient client, ComfyUIReadinessOptions? options, ReadinessGate gate, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new ComfyUIReadinessOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.StartupTimeout, TimeSpan.Zero, "options.StartupTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.CheckWait, TimeSpan.Zero, "options.CheckWait");
        _gate = gate;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Checks (and if needed waits for) the server.</summary>
    /// <param name="context">The registration (its failure status is used while the server is not ready).</param>
    /// <param name="cancellationToken">The check's timeout or the host's shutdown (the shared wait goes on).</param>
    /// <returns>Healthy once the server answers; the failure status with the reason while it does not.</returns>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var server = ServerHealthProbe.Describe(_client.BaseAddress);
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["server"] = server };
        if (_gate.IsReady)
        {
            if (await _client.IsHealthyAsync(cancellationToken).ConfigureAwait(false))
            {
                data["ready"] = true;
                return HealthCheckResult.Healthy($"ComfyUI at {server} is ready.", data);
            }

            _gate.Reset();
        }

        var waiting = _gate.WaitAsync(_client, _options.StartupTimeout);
        if (!waiting.IsCompleted && _options.CheckWait > TimeSpan.Zero)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(waiting, Task.Delay(_options.CheckWait, _time, linked.Token)).ConfigureAwait(false);
            await linked.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        data["ready"] = waiting.IsCompletedSuccessfully && waiting.Result is null;
        if (waiting.IsCompletedSuccessfully && waiting.Result is null)
        {
            return HealthCheckResult.Healthy($"ComfyUI at {server} is ready.", data);
        }

        if (waiting.IsCompletedSuccessfully && waiting.Result is { } failure)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"ComfyUI at {server} did not become ready within {_options.StartupTimeout}: {failure.Message}", failure, data);
        }

        data["waiting_seconds"] = Math.Round(_gate.WaitingFor.TotalSeconds, 1);
        return new HealthCheckResult(context.Registration.FailureStatus,
            $"ComfyUI at {server} is not ready yet (waiting for it for {_gate.WaitingFor.TotalSeconds:0.0} s).", null, data);
    }
}
