using ComfyUI.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ComfyUIClient"/> with dependency injection.</summary>
public static class ComfyUIServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> registered for <see cref="ComfyUIClient"/>.</summary>
    public const string HttpClientName = "ComfyUI.Client";

    /// <summary>
    /// Registers <see cref="ComfyUIClient"/> as a typed <see cref="HttpClient"/> client configured by <paramref name="configure"/>.
    /// Options are validated when the host starts. No retry handler is added: chain
    /// <c>.AddStandardResilienceHandler(…)</c> on the returned builder (see the README for a recipe that never retries <c>POST /prompt</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, for example the base address.</param>
    /// <returns>The <see cref="IHttpClientBuilder"/> of the client, to add handlers or resilience.</returns>
    public static IHttpClientBuilder AddComfyUIClient(this IServiceCollection services, Action<ComfyUIClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddDefaultClientId(services);
        services.AddOptions<ComfyUIClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="ComfyUIClient"/> with options bound from a configuration section (keys named as the
    /// <see cref="ComfyUIClientOptions"/> properties, for example <c>BaseAddress</c>, <c>ApiKey</c>, <c>RequestTimeout</c>, <c>WebSocket:IdleTimeout</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section, for example <c>builder.Configuration.GetSection("ComfyUI")</c>.</param>
    /// <param name="configure">Further settings applied after binding, or <see langword="null"/>.</param>
    /// <returns>The <see cref="IHttpClientBuilder"/> of the client.</returns>
    public static IHttpClientBuilder AddComfyUIClient(this IServiceCollection services, IConfiguration configuration, Action<ComfyUIClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddDefaultClientId(services);
        var builder = services.AddOptions<ComfyUIClientOptions>().Bind(configuration);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// One client id for the container: every options instance (<c>IOptions</c>, <c>IOptionsMonitor</c>, <c>IOptionsSnapshot</c>, each reload) starts
    /// from the same generated id, so the id the options show is the id the client uses. Configured before the caller's settings, which may replace it.
    /// </summary>
    private static void AddDefaultClientId(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(DefaultClientIdMarker)))
        {
            return;
        }

        var clientId = Guid.NewGuid().ToString("N");
        services.AddSingleton<DefaultClientIdMarker>();
        services.AddOptions<ComfyUIClientOptions>().Configure(o => o.ClientId = clientId);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<ComfyUIClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ComfyUIClientOptions>, ComfyUIClientOptionsValidator>());
        // One run hub for every transient client: its runs outlive the client that submitted them. (The socket itself is the client id's one
        // socket in the process, shared with ConnectWebSocketAsync handles.)
        services.TryAddSingleton(static provider => new RunHub(provider.GetService<TimeProvider>(), provider.GetService<ILogger<ComfyUIClient>>()));
        // One validator (one read of the node schema) for all of them too.
        services.TryAddSingleton(static _ => new PromptValidatorCache());
        return services
            .AddHttpClient(HttpClientName)
            .ConfigureHttpClient(static http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static provider =>
                ComfyUIClient.CreateDefaultHandler(provider.GetRequiredService<IOptions<ComfyUIClientOptions>>().Value))
            .AddTypedClient<ComfyUIClient>(static (http, provider) =>
            {
                var options = provider.GetRequiredService<IOptions<ComfyUIClientOptions>>().Value;
                var logger = provider.GetService<ILogger<ComfyUIClient>>();
                var client = new ComfyUIClient(http, options, logger) { TimeProvider = provider.GetService<TimeProvider>() ?? TimeProvider.System };
                client.UseSharedRunHub(provider.GetRequiredService<RunHub>());
                client.UseSharedValidatorCache(provider.GetRequiredService<PromptValidatorCache>());
                return client;
            });
    }

    /// <summary>Marks that the default client id is registered.</summary>
    private sealed class DefaultClientIdMarker;
}
