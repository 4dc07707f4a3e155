using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Testing.Hosting;

/// <summary>
/// The one Kestrel start-up of every in-process server of this repository (the fake server, the scripted test servers, the benchmark server):
/// a slim web application on 127.0.0.1 (port 0: a free one), without logging, that stops fast, and its base address once started.
/// </summary>
internal static class LoopbackHost
{
    /// <summary>Creates the builder of a loopback web application.</summary>
    /// <param name="port">The port, 0 for a free one.</param>
    /// <param name="configureKestrel">Further Kestrel settings (limits, TLS on the listen options).</param>
    /// <param name="configureListen">Settings of the loopback endpoint, for example <c>UseHttps</c>.</param>
    /// <param name="applicationName">The application name (for static assets), when it matters.</param>
    public static WebApplicationBuilder CreateBuilder(
        int port = 0, Action<KestrelServerOptions>? configureKestrel = null, Action<ListenOptions>? configureListen = null, string? applicationName = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = applicationName });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => configureListen?.Invoke(listen));
            configureKestrel?.Invoke(kestrel);
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        return builder;
    }

    /// <summary>Starts the application and returns its base address (<c>http(s)://127.0.0.1:port/</c>).</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }
}
