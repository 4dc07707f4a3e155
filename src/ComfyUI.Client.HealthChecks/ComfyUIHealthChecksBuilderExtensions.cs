using ComfyUI.Client;
using ComfyUI.Client.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ComfyUI health checks: <c>services.AddHealthChecks().AddComfyUI()</c> and <c>.AddComfyUIReadiness()</c>.</summary>
public static class ComfyUIHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ComfyUIHealthCheck"/>: the server answers, its queue, VRAM and RAM are within limits, and the run socket is connected.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="client">Gets the client of the server to check; <see langword="null"/> for the <see cref="ComfyUIClient"/> registered with <c>AddComfyUIClient</c>.</param>
    /// <param name="configure">Sets when the server counts as degraded, or <see langword="null"/> for the defaults.</param>
    /// <param name="failureStatus">The status of a server that does not answer; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>live</c>), or <see langword="null"/>.</param>
    /// <param name="timeout">How long the check may take, or <see langword="null"/> for no limit of its own (the client's request timeout still applies).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddComfyUI(
        this IHealthChecksBuilder builder,
        string name = "comfyui",
        Func<IServiceProvider, ComfyUIClient>? client = null,
        Action<ComfyUIHealthCheckOptions>? configure = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new ComfyUIHealthCheckOptions();
        configure?.Invoke(options);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new ComfyUIHealthCheck(Resolve(provider, client), options),
            failureStatus,
            tags,
            timeout));
    }

    /// <summary>
    /// Adds a <see cref="ComfyUIReadinessCheck"/>: not ready (the failure status) while the server is starting or gone, each check waiting a little
    /// for it; ready once it answers. Give it a tag your readiness endpoint filters on, for example <c>tags: ["ready"]</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="client">Gets the client of the server to wait for; <see langword="null"/> for the <see cref="ComfyUIClient"/> registered with <c>AddComfyUIClient</c>.</param>
    /// <param name="configure">Sets how long to wait, or <see langword="null"/> for the defaults.</param>
    /// <param name="failureStatus">The status while the server is not ready; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddComfyUIReadiness(
        this IHealthChecksBuilder builder,
        string name = "comfyui-ready",
        Func<IServiceProvider, ComfyUIClient>? client = null,
        Action<ComfyUIReadinessOptions>? configure = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new ComfyUIReadinessOptions();
        configure?.Invoke(options);
        ReadinessGate? gate = null;
        var gateLock = new object();
        return builder.Add(new HealthCheckRegistration(
            name,
            provider =>
            {
                var time = provider.GetService<TimeProvider>() ?? TimeProvider.System;
                lock (gateLock)
                {
                    // One shared wait per registration: checks are created anew for every report.
                    gate ??= new ReadinessGate(time);
                }

                return new ComfyUIReadinessCheck(Resolve(provider, client), options, gate, time);
            },
            failureStatus,
            tags));
    }

    private static ComfyUIClient Resolve(IServiceProvider provider, Func<IServiceProvider, ComfyUIClient>? client) =>
        client?.Invoke(provider)
        ?? provider.GetService<ComfyUIClient>()
        ?? throw new InvalidOperationException(
            "No ComfyUIClient is registered: call services.AddComfyUIClient(...) or pass the client to AddComfyUI / AddComfyUIReadiness.");
}
