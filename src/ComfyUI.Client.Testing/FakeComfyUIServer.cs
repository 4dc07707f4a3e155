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
    private readonly WebApplication app;
    private int disposed;

    private FakeComfyUIServer(WebApplication app, ServerContext context)
    {
        this.app = app;
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
        var builder = LoopbackHost.CreateBuilder(
            options.Port,
            k =>
            {
                k.Limits.MaxRequestBodySize = 100L * 1024 * 1024;

                // aiohttp writes header values as UTF-8: /view of "ü 日本.png" names it that way in Content-Disposition.
                k.ResponseHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
            },
            applicationName: typeof(FakeComfyUIServer).Assembly.GetName().Name);
        builder.Services.AddSingleton(options.LoggerFactory ?? NullLoggerFactory.Instance);
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, NoopHostLifetime>();
        var context = new ServerContext();
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        RouteTable.Map(app, context);
        var server = new FakeComfyUIServer(app, context);
        context.State.Start();
        try
        {
            server.BaseAddress = await LoopbackHost.StartAsync(app, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
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
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await app.StopAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await app.DisposeAsync().ConfigureAwait(false);
        Context.Hub.Dispose();
        Context.Files.Dispose();
    }
}

/// <summary>Everything the routes share.</summary>
internal sealed class ServerContext
{
    public ServerContext()
    {
        Catalog = new NodeCatalog();
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
