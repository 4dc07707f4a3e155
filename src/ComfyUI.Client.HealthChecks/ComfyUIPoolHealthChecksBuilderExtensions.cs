using ComfyUI.Client;
using ComfyUI.Client.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the health check of a <see cref="ComfyUIPool"/>: <c>services.AddHealthChecks().AddComfyUIPool()</c>.</summary>
public static class ComfyUIPoolHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ComfyUIPoolHealthCheck"/>: healthy when every server of the pool is, degraded when some are down or degraded, the failure
    /// status when none answers.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name in the report.</param>
    /// <param name="pool">Gets the pool; <see langword="null"/> for the <see cref="ComfyUIPool"/> registered with <c>AddComfyUIPool</c>.</param>
    /// <param name="configure">Sets when a server counts as degraded, or <see langword="null"/> for the defaults.</param>
    /// <param name="failureStatus">The status when no server answers; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by, or <see langword="null"/>.</param>
    /// <param name="timeout">How long the check may take, or <see langword="null"/> for no limit of its own.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddComfyUIPool(
        this IHealthChecksBuilder builder,
        string name = "comfyui-pool",
        Func<IServiceProvider, ComfyUIPool>? pool = null,
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
            provider => new ComfyUIPoolHealthCheck(
                pool?.Invoke(provider) ?? provider.GetService<ComfyUIPool>()
                    ?? throw new InvalidOperationException("No ComfyUIPool is registered: call services.AddComfyUIPool(...) or pass the pool to AddComfyUIPool."),
                options),
            failureStatus,
            tags,
            timeout));
    }
}
