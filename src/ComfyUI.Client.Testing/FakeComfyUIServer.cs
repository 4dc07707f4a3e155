using System.Net;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using ComfyUI.Client.Testing.Faults;
using ComfyUI.Client.Testing.Hosting;
using ComfyUI.Client.Testing.Nodes;
using ComfyUI.Client.Testing.Routes;
using ComfyUI.Client.Testing.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyUI.Client.Testing;

/// <summary>
/// An in-process ComfyUI server on a loopback port: the real HTTP routes and WebSocket protocol with in-memory
/// state, real execution of a few model-free nodes, and scripted faults (<see cref="Faults"/>).
/// </summary>
public sealed class FakeComfyUIServer : IAsyncDisposable
{
    private readonly FakeComfyUIServerOptions options;
    private readonly SemaphoreSlim lifecycle = new(1, 1);
    private WebApplication? app;
    private int disposed;

    private FakeComfyUIServer(FakeComfyUIServerOptions options, ServerContext context)
    {
        this.options = options;
        Context = context;
        Faults = new FakeServerFaults(this);
    }

    internal ServerContext Context { get; }

    internal WsHub Hub => Context.Hub;

    internal FaultState FaultState => Context.State.Faults;

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The scripted faults.</summary>
    public FakeServerFaults Faults { get; }

    /// <summary>The folder holding input/, output/, temp/ and user/ (deleted on dispose).</summary>
    public string RootDirectory => Context.Files.Root;

    /// <summary>Ids of the prompts waiting in the queue, in execution order.</summary>
    public IReadOnlyList<string> PendingPromptIds
    {
        get
        {
            lock (Context.State.Gate)
            {
                return [.. Context.State.Pending.OrderBy(p => p.SortNumber).ThenBy(p => p.PromptId, StringComparer.Ordinal).Select(p => p.PromptId)];
            }
        }
    }

    /// <summary>The id of the prompt executing now, or null.</summary>
    public string? RunningPromptId
    {
        get
        {
            lock (Context.State.Gate)
            {
                return Context.State.Running?.PromptId;
            }
        }
    }

    /// <summary>
    /// Every prompt id that began executing on this server, in order, kept across restarts and kills: a prompt that ran twice is listed twice
    /// (what a test checks to prove that nothing ran twice).
    /// </summary>
    public IReadOnlyList<string> ExecutedPromptIds => Context.State.ExecutedPromptIds;

    /// <summary>Whether the server is down (<see cref="FakeServerFaults.KillAsync"/>): its port refuses connections until it is revived.</summary>
    public bool IsKilled => app is null;

    /// <summary>Ids of the prompts in /history, oldest first.</summary>
    public IReadOnlyList<string> HistoryPromptIds => [.. Context.State.HistorySnapshot().Select(h => h.Item.PromptId)];

    /// <summary>The client ids of the connected WebSockets.</summary>
    public IReadOnlyList<string> ConnectedClientIds => Hub.ConnectedClientIds;

    /// <summary>How many WebSocket upgrades were attempted.</summary>
    public int WebSocketUpgradeAttempts => Volatile.Read(ref Hub.UpgradeAttempts);

    /// <summary>How many WebSocket upgrades were refused by <see cref="FakeServerFaults.RefuseWebSocketUpgrades"/>.</summary>
    public int WebSocketUpgradesRefused => Volatile.Read(ref Hub.UpgradesRefused);

    /// <summary>The <c>feature_flags</c> the connected clients sent (one object per socket that sent them).</summary>
    public IReadOnlyList<JsonObject> ReceivedFeatureFlags => Hub.ReceivedFeatureFlags;

    /// <summary>Waits until the prompt has finished (success, error or interrupt) and has a /history entry.</summary>
    /// <param name="promptId">The prompt id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the history entry exists.</returns>
    public Task WaitForPromptAsync(string promptId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(promptId);
        return Context.State.WaitForHistoryAsync(promptId, cancellationToken);
    }

    /// <summary>Starts a server on 127.0.0.1.</summary>
    /// <param name="options">Options; null for the defaults (a free port, no logging).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static async Task<FakeComfyUIServer> StartAsync(FakeComfyUIServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeComfyUIServerOptions();
        var context = new ServerContext(options);
        var server = new FakeComfyUIServer(options, context);
        context.State.Start();
        try
        {
            server.BaseAddress = await server.ListenAsync(options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>Builds and starts the web application on <paramref name="port"/> (0: a free one) over this server's state.</summary>
    private async Task<Uri> ListenAsync(int port, CancellationToken cancellationToken)
    {
        var builder = LoopbackHost.CreateBuilder(
            port,
            k =>
            {
                k.Limits.MaxRequestBodySize = 100L * 1024 * 1024;

                // aiohttp writes header values as UTF-8: /view of "ü 日本.png" names it that way in Content-Disposition.
                k.ResponseHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
            },
            applicationName: typeof(FakeComfyUIServer).Assembly.GetName().Name);
        builder.Services.AddSingleton(options.LoggerFactory ?? NullLoggerFactory.Instance);
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, NoopHostLifetime>();
        var web = builder.Build();
        web.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        RouteTable.Map(web, Context);
        app = web;
        return await LoopbackHost.StartAsync(web, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the web application (its port refuses connections) and disposes it.</summary>
    private async Task StopListeningAsync()
    {
        var web = app;
        app = null;
        if (web is null)
        {
            return;
        }

        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await web.StopAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await web.DisposeAsync().ConfigureAwait(false);
    }

    internal async Task KillAsync(CancellationToken cancellationToken)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (app is null)
            {
                return;
            }

            // As when the process dies: the queue, the running prompt, the cache and the history are gone, sockets are cut without a close.
            Context.State.Restart(keepHistory: false);
            Hub.DropAll(abort: true);
            await StopListeningAsync().ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    internal async Task ReviveAsync(CancellationToken cancellationToken)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (app is not null)
            {
                return;
            }

            Hub.DropAll(abort: true);
            await ListenAsync(BaseAddress.Port, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    internal async Task RestartAsync(bool keepHistory, CancellationToken cancellationToken)
    {
        Context.State.Restart(keepHistory);
        Hub.DropAll();
        await Hub.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server fast (sockets are aborted) and deletes its folders.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Context.State.Faults.Reset();
        await Context.Hub.StopAsync().ConfigureAwait(false);
        await Context.State.DisposeAsync().ConfigureAwait(false);
        await lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopListeningAsync().ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }

        Context.Hub.Dispose();
        Context.Files.Dispose();
    }
}

/// <summary>Everything the routes share.</summary>
internal sealed class ServerContext
{
    public ServerContext(FakeComfyUIServerOptions? options = null)
    {
        Catalog = new NodeCatalog(options);
        Files = new FileStore();
        Hub = new WsHub();
        State = new ServerState(Catalog, Files, Hub, new FaultState());
        Validator = new Validator(Catalog, Files);
    }

    public NodeCatalog Catalog { get; }

    public FileStore Files { get; }

    public WsHub Hub { get; }

    public ServerState State { get; }

    public Validator Validator { get; }
}
