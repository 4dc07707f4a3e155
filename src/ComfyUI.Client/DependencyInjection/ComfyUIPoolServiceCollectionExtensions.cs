using ComfyUI.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ComfyUIPool"/> with dependency injection.</summary>
public static class ComfyUIPoolServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the pool's server clients use.</summary>
    public const string HttpClientName = "ComfyUI.Client.Pool";

    /// <summary>
    /// Registers a singleton <see cref="ComfyUIPool"/> configured by <paramref name="configure"/> (add servers to
    /// <see cref="ComfyUIPoolOptions.Servers"/>). Options are validated when the host starts. A registered <see cref="IPoolRoutingStrategy"/> service replaces
    /// the built-in <see cref="ComfyUIPoolOptions.Routing"/>. Each server gets its own <see cref="ComfyUIClient"/>
    /// (its own client id and WebSocket) over the named <see cref="HttpClient"/> <see cref="HttpClientName"/>; the container disposes the pool.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The <see cref="IHttpClientBuilder"/> of the servers' HTTP client, to add handlers (never retry <c>POST /prompt</c> blindly).</returns>
    public static IHttpClientBuilder AddComfyUIPool(this IServiceCollection services, Action<ComfyUIPoolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ComfyUIPoolOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers a singleton <see cref="ComfyUIPool"/> with options bound from a configuration section, for example:
    /// <c>{ "Servers": [ { "BaseAddress": "http://gpu1:8188", "Weight": 2, "MaxInFlight": 4, "ApiKey": "…" }, { "BaseAddress": "http://gpu2:8188" } ],
    /// "Delivery": "AtLeastOnce", "Client": { "RequestTimeout": "00:00:30" } }</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section, for example <c>builder.Configuration.GetSection("ComfyUIPool")</c>.</param>
    /// <param name="configure">Further settings applied after binding, or <see langword="null"/>.</param>
    /// <returns>The <see cref="IHttpClientBuilder"/> of the servers' HTTP client.</returns>
    public static IHttpClientBuilder AddComfyUIPool(this IServiceCollection services, IConfiguration configuration, Action<ComfyUIPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<ComfyUIPoolOptions>().Bind(configuration);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return AddCore(services);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<ComfyUIPoolOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ComfyUIPoolOptions>, ComfyUIPoolOptionsValidator>());
        services.TryAddSingleton(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<ComfyUIPoolOptions>>().Value;
            var http = provider.GetRequiredService<IHttpClientFactory>();
            var loggers = provider.GetService<ILoggerFactory>();
            var time = provider.GetService<TimeProvider>() ?? TimeProvider.System;
            return new ComfyUIPool(
                options,
                server => new ComfyUIClient(http.CreateClient(HttpClientName), ComfyUIPool.ClientOptionsFor(options, server), loggers?.CreateLogger<ComfyUIClient>())
                {
                    TimeProvider = time,
                },
                provider.GetService<IPoolRoutingStrategy>(),
                loggers?.CreateLogger<ComfyUIPool>(),
                time);
        });

        // The pool keeps each server's HttpClient for its lifetime: connections are renewed by the handler instead.
        return services
            .AddHttpClient(HttpClientName)
            .ConfigureHttpClient(static http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static provider =>
                ComfyUIClient.CreateDefaultHandler(provider.GetRequiredService<IOptions<ComfyUIPoolOptions>>().Value.Client));
    }
}
