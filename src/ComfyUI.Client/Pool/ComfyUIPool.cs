using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyUI.Client;

/// <summary>
/// Many ComfyUI servers as one: <see cref="SubmitAsync"/> and <see cref="RunAsync"/> take the same workflows, options and tokens as a
/// <see cref="ComfyUIClient"/>'s and return the same <see cref="PromptRun"/> and <see cref="PromptResult"/>, naming the server that ran the prompt
/// (<see cref="PromptRun.Server"/>, <see cref="PromptResult.Server"/>). Each server keeps its own client, with its own client id, WebSocket and run tracker.
/// </summary>
/// <remarks>
/// <para><b>Routing.</b> A prompt goes only to a server that can run it: one that has every node class it uses and every value it chooses from a
/// list (models, LoRAs, files), as the server's own validation would check them against its <c>/object_info</c>; a prompt no server can run fails at
/// once with <see cref="ComfyUIPoolException"/>, which says why for each server. Among those, <see cref="LeastLoadedStrategy"/> (the default) picks
/// the server with the shortest queue for its weight — the queue the server itself reports, so several processes with pools over the same servers
/// balance without talking to each other — or <see cref="RoundRobinStrategy"/>, or a strategy of your own.</para>
/// <para><b>Health.</b> A server is up while its WebSocket is connected or its <c>GET /system_stats</c> answers; a server that does not answer gets
/// no new prompts and is probed with growing delays. A server that comes back is checked for a restart (its prompt counter went back, or prompts it
/// held vanished from its queue and history), and then its capabilities are read again.</para>
/// <para><b>Failover.</b> <see cref="ComfyUIPoolOptions.Delivery"/> decides what happens to a prompt whose server was lost while it held it:
/// <see cref="PromptDelivery.AtMostOnce"/> (the default) ends it as lost; <see cref="PromptDelivery.AtLeastOnce"/> submits it again elsewhere.</para>
/// <para>Thread-safe. Dispose it to stop watching the servers and to dispose the clients it created; runs still going end as lost.</para>
/// </remarks>
public sealed partial class ComfyUIPool : IAsyncDisposable
{
    private static readonly PromptOptions DefaultPromptOptions = new();
    private readonly object _gate = new();
    private readonly List<PoolMember> _members = [];
    private readonly Dictionary<PoolRelay, PromptRun> _runs = [];
    private readonly PoolEventHub _events = new();
    private readonly Func<PoolServerOptions, ComfyUIClient> _createClient;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    /// <summary>Creates a pool over the servers of <paramref name="options"/>, creating (and owning) a client for each.</summary>
    /// <param name="options">The servers and settings.</param>
    /// <param name="strategy">A routing strategy of your own, or <see langword="null"/> for <see cref="ComfyUIPoolOptions.Routing"/>.</param>
    /// <param name="loggerFactory">Where the pool and its clients log, or <see langword="null"/> for nowhere.</param>
    public ComfyUIPool(ComfyUIPoolOptions options, IPoolRoutingStrategy? strategy = null, ILoggerFactory? loggerFactory = null)
        : this(options, CreateClientFactory(options, loggerFactory), strategy, loggerFactory?.CreateLogger<ComfyUIPool>(), TimeProvider.System)
    {
    }

    /// <summary>Creates a pool over clients you made (one per server; the pool never disposes them), plus the servers of <paramref name="options"/>.</summary>
    /// <param name="clients">The servers' clients. Give each its own client id (the default), even for the same server.</param>
    /// <param name="options">Settings, and servers for which the pool creates clients; <see langword="null"/> for defaults.</param>
    /// <param name="strategy">A routing strategy of your own, or <see langword="null"/> for <see cref="ComfyUIPoolOptions.Routing"/>.</param>
    /// <param name="loggerFactory">Where the pool logs, or <see langword="null"/> for nowhere.</param>
    public ComfyUIPool(IEnumerable<ComfyUIClient> clients, ComfyUIPoolOptions? options = null, IPoolRoutingStrategy? strategy = null, ILoggerFactory? loggerFactory = null)
        : this(options ?? new ComfyUIPoolOptions(), strategy, loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(clients);
        foreach (var client in clients)
        {
            AddServer(client);
        }
    }

    /// <summary>The constructor dependency injection uses: clients from a factory, the container's clock.</summary>
    internal ComfyUIPool(ComfyUIPoolOptions options, Func<PoolServerOptions, ComfyUIClient> createClient, IPoolRoutingStrategy? strategy, ILogger? logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new ComfyUIPoolOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException($"Invalid ComfyUIPoolOptions: {validation.FailureMessage}", nameof(options));
        }

        Options = options;
        Logger = logger ?? NullLogger.Instance;
        TimeProvider = timeProvider;
        _createClient = createClient;
        Strategy = strategy ?? (options.Routing == PoolRouting.RoundRobin
            ? new RoundRobinStrategy()
            : new LeastLoadedStrategy { PreferSameCheckpoint = options.PreferSameCheckpoint });
        foreach (var server in options.Servers)
        {
            AddServer(server);
        }

        PoolMetrics.Register(this);
    }

    /// <summary>The servers of the pool as they are now (health, load, capabilities), in the order they were added.</summary>
    public IReadOnlyList<PoolServerState> Servers => [.. Members().Select(member => member.Snapshot())];

    internal ComfyUIPoolOptions Options { get; }

    internal ILogger Logger { get; }

    internal TimeProvider TimeProvider { get; }

    internal IPoolRoutingStrategy Strategy { get; }

    /// <summary>Adds a server; the pool creates its client (with the settings of <see cref="ComfyUIPoolOptions.Client"/>) and disposes it with the pool.</summary>
    /// <param name="server">The server: its address (required), name, weight, limit and API key.</param>
    /// <returns>The server's state.</returns>
    /// <exception cref="ArgumentException">The address is missing, or the pool has a server of that name.</exception>
    public PoolServerState AddServer(PoolServerOptions server)
    {
        ArgumentNullException.ThrowIfNull(server);
        ValidateServer(server);
        var client = _createClient(server);
        try
        {
            return Add(client, ownsClient: true, server);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Adds a server through a client you made (the pool never disposes it).</summary>
    /// <param name="client">The server's client; give it its own client id (the default).</param>
    /// <param name="server">Its name, weight and limit (its address and API key are the client's), or <see langword="null"/> for defaults.</param>
    /// <returns>The server's state.</returns>
    /// <exception cref="ArgumentException">The pool has a server of that name.</exception>
    public PoolServerState AddServer(ComfyUIClient client, PoolServerOptions? server = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        server ??= new PoolServerOptions();
        if (server.Weight < 1 || server.MaxInFlight is < 1)
        {
            throw new ArgumentException("Weight and MaxInFlight must be at least 1.", nameof(server));
        }

        return Add(client, ownsClient: false, server);
    }

    /// <summary>
    /// Drains a server: it gets no new prompts from now on, and the returned task completes once every prompt the pool placed on it has ended.
    /// It stays in the pool, draining, until <see cref="ResumeServer"/> or <see cref="RemoveServerAsync"/>.
    /// </summary>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Stops waiting (the server keeps draining).</param>
    /// <returns>A task that completes when the server has no prompt of the pool left.</returns>
    /// <exception cref="ArgumentException">The pool has no server of that name.</exception>
    public Task DrainServerAsync(string name, CancellationToken cancellationToken = default) =>
        Find(name).DrainAsync(removing: false).WaitAsync(cancellationToken);

    /// <summary>Lets a drained server take prompts again.</summary>
    /// <param name="name">The server's name.</param>
    /// <returns><see langword="true"/> when it was draining.</returns>
    /// <exception cref="ArgumentException">The pool has no server of that name.</exception>
    public bool ResumeServer(string name) => Find(name).Resume();

    /// <summary>
    /// Removes a server: drains it (no new prompts; the prompts it holds run to their end and their runs go on), then takes it out of the pool and
    /// disposes its client if the pool created it.
    /// </summary>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Stops waiting for its prompts (it stays in the pool, draining; call again to finish).</param>
    /// <returns>A task that completes when the server is out of the pool.</returns>
    /// <exception cref="ArgumentException">The pool has no server of that name.</exception>
    public async Task RemoveServerAsync(string name, CancellationToken cancellationToken = default)
    {
        var member = Find(name);
        await member.DrainAsync(removing: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_members.Remove(member))
            {
                return;
            }
        }

        Emit(member, PoolEventKind.Removed, null);
        NotifyChanged();
        await member.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The client of a server, for example to download outputs or read its history.</summary>
    /// <param name="name">The server's name.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The pool has no server of that name.</exception>
    public ComfyUIClient GetClient(string name) => Find(name).Client;

    /// <summary>The client of the server at <paramref name="server"/>, for example <see cref="PromptResult.Server"/>.</summary>
    /// <param name="server">The server's base address.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The pool has no server at that address.</exception>
    public ComfyUIClient GetClient(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Members().FirstOrDefault(member => member.Address == server)?.Client
            ?? throw new ArgumentException($"The pool has no server at {server}.", nameof(server));
    }

    /// <summary>
    /// Waits until the health of every server is known and the capabilities of those that are up have been read (or failed to be), then returns
    /// their states: what <c>comfyui pool status</c> shows.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The servers' states.</returns>
    public async Task<IReadOnlyList<PoolServerState>> GetServersAsync(CancellationToken cancellationToken = default)
    {
        var members = Members();
        await Task.WhenAll(members.Select(member => member.FirstVerdict)).WaitAsync(cancellationToken).ConfigureAwait(false);
        var reads = members.Where(member => member.IsAvailable).Select(member => (Task)member.GetCapabilitiesAsync());
        await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        return Servers;
    }

    /// <summary>
    /// Reads every server's capabilities again now (after installing custom nodes or adding models). Servers that restart are read again by
    /// themselves.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the reads go on).</param>
    /// <returns>A task that completes when every read has ended (those that failed are tried again when a prompt needs them).</returns>
    public async Task RefreshCapabilitiesAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(Members().Select(member => (Task)member.RefreshCapabilities())).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The pool's events (servers up, down, restarted, draining, …) from the moment this method is called, until the pool is disposed. Each call
    /// gets its own stream; a reader that falls 1,000 events behind loses the oldest.
    /// </summary>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The events, in order.</returns>
    public IAsyncEnumerable<PoolEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => _events.Subscribe(cancellationToken);

    /// <summary>Stops watching the servers, ends the runs still going as lost, and disposes the clients the pool created.</summary>
    /// <returns>A task that completes when everything is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        PoolMetrics.Unregister(this);

        PromptRun[] runs;
        PoolMember[] members;
        lock (_gate)
        {
            runs = [.. _runs.Values];
            members = [.. _members];
            _members.Clear();
        }

        foreach (var run in runs)
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var member in members)
        {
            await member.DisposeAsync().ConfigureAwait(false);
        }

        _events.Complete();
        NotifyChanged();
    }

    // ---- Internals shared with the members and relays ----

    internal PoolMember[] Members()
    {
        lock (_gate)
        {
            return [.. _members];
        }
    }

    internal void Emit(PoolMember member, PoolEventKind kind, string? message) =>
        _events.Emit(new PoolEvent { Kind = kind, ServerName = member.Name, Server = member.Address, Time = TimeProvider.GetUtcNow(), Message = message });

    /// <summary>Something changed (health, load, capacity, membership): waiters look again.</summary>
    internal void NotifyChanged() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next change.</summary>
    internal Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Waits until <paramref name="condition"/> holds, looking again at each change (tests).</summary>
    internal async Task WaitUntilAsync(Func<ComfyUIPool, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Changed;
            if (condition(this))
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void Track(PoolRelay relay, PromptRun run)
    {
        lock (_gate)
        {
            _runs[relay] = run;
        }
    }

    internal void Untrack(PoolRelay relay)
    {
        lock (_gate)
        {
            _runs.Remove(relay);
        }
    }

    private PoolServerState Add(ComfyUIClient client, bool ownsClient, PoolServerOptions server)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var name = string.IsNullOrWhiteSpace(server.Name) ? client.BaseAddress.Authority : server.Name;
        var member = new PoolMember(this, name, client, ownsClient, server.Weight, server.MaxInFlight);
        lock (_gate)
        {
            if (_members.Any(existing => string.Equals(existing.Name, name, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"The pool already has a server named '{name}'. Give each server its own PoolServerOptions.Name.", nameof(server));
            }

            _members.Add(member);
        }

        Emit(member, PoolEventKind.Added, null);
        member.StartMonitor();
        NotifyChanged();
        return member.Snapshot();
    }

    private PoolMember Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Members().FirstOrDefault(member => string.Equals(member.Name, name, StringComparison.Ordinal))
            ?? throw new ArgumentException($"The pool has no server named '{name}' (it has: {string.Join(", ", Members().Select(member => member.Name))}).", nameof(name));
    }

    private static void ValidateServer(PoolServerOptions server)
    {
        var failures = ComfyUIPoolOptionsValidator.ValidateServer(server, "server");
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(server));
        }
    }

    private static Func<PoolServerOptions, ComfyUIClient> CreateClientFactory(ComfyUIPoolOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return server => new ComfyUIClient(ClientOptionsFor(options, server), loggerFactory?.CreateLogger<ComfyUIClient>());
    }

    /// <summary>The client options of one server: the pool's shared settings, the server's address and API key, a client id of its own.</summary>
    internal static ComfyUIClientOptions ClientOptionsFor(ComfyUIPoolOptions options, PoolServerOptions server)
    {
        var clientOptions = options.Client.Clone();
        clientOptions.BaseAddress = server.BaseAddress;
        clientOptions.ClientId = Guid.NewGuid().ToString("N");
        if (server.ApiKey is not null)
        {
            clientOptions.ApiKey = server.ApiKey;
        }

        return clientOptions;
    }
}
