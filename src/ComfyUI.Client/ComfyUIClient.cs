using System.Net;
using ComfyUI.Client.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyUI.Client;

/// <summary>
/// The entry point of the SDK: a client for one ComfyUI server. Its properties split the server's routes by area
/// (<see cref="Queue"/>, <see cref="History"/>, …); all of them share one <see cref="HttpClient"/> and one request pipeline.
/// </summary>
/// <remarks>
/// Thread-safe: share one instance. Created with a <see cref="Uri"/> or options it owns its <see cref="HttpClient"/> and disposes it;
/// created with an <see cref="HttpClient"/> (or through <c>AddComfyUIClient</c>) it never disposes the one it was given.
/// </remarks>
public partial class ComfyUIClient : IDisposable, IAsyncDisposable
{
    private readonly HttpClient? _ownedHttpClient;
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>Creates a client for the server at <paramref name="baseAddress"/>, for example <c>http://127.0.0.1:8188</c>.</summary>
    /// <param name="baseAddress">The server's address, with a base path if it is served under one.</param>
    public ComfyUIClient(Uri baseAddress)
        : this(new ComfyUIClientOptions { BaseAddress = baseAddress ?? throw new ArgumentNullException(nameof(baseAddress)) })
    {
    }

    /// <summary>Creates a client from options. The client owns and disposes its <see cref="HttpClient"/>.</summary>
    /// <param name="options">The settings; <see cref="ComfyUIClientOptions.BaseAddress"/> is required.</param>
    /// <param name="logger">A logger, or <see langword="null"/> for none.</param>
    public ComfyUIClient(ComfyUIClientOptions options, ILogger<ComfyUIClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ownedHttpClient = new HttpClient(CreateDefaultHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        _pipeline = new ComfyHttpPipeline(_ownedHttpClient, Validate(options), (ILogger?)logger ?? NullLogger.Instance);
        InitializeAreas();
    }

    /// <summary>
    /// Creates a client over an existing <see cref="HttpClient"/>, which it never disposes. Its <see cref="HttpClient.BaseAddress"/> is used
    /// when <paramref name="options"/> has no base address. Set the <see cref="HttpClient.Timeout"/> to infinite: per-call timeouts come from
    /// <see cref="ComfyUIClientOptions.RequestTimeout"/>, and downloads may take long.
    /// </summary>
    /// <param name="httpClient">The client to send requests with.</param>
    /// <param name="options">The settings, or <see langword="null"/> for defaults.</param>
    /// <param name="logger">A logger, or <see langword="null"/> for none.</param>
    public ComfyUIClient(HttpClient httpClient, ComfyUIClientOptions? options = null, ILogger<ComfyUIClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options ??= new ComfyUIClientOptions { BaseAddress = httpClient.BaseAddress };
        if (options.BaseAddress is null && httpClient.BaseAddress is not null)
        {
            options = options.Clone();
            options.BaseAddress = httpClient.BaseAddress;
        }

        _pipeline = new ComfyHttpPipeline(httpClient, Validate(options), (ILogger?)logger ?? NullLogger.Instance);
        InitializeAreas();
    }

    /// <summary>For mocking only.</summary>
    protected ComfyUIClient()
    {
    }

    /// <summary>The server's base address (always ending in '/').</summary>
    public virtual Uri BaseAddress => _pipeline.BaseAddress;

    /// <summary>The client id sent with prompts and on the WebSocket (<see cref="ComfyUIClientOptions.ClientId"/>).</summary>
    public virtual string ClientId => _pipeline.Options.ClientId;

    /// <summary>The queue: submit prompts, read and change the queue, interrupt.</summary>
    public virtual QueueClient Queue { get; private set; } = null!;

    /// <summary>The history of finished prompts: list, read one, delete, clear.</summary>
    public virtual HistoryClient History { get; private set; } = null!;

    /// <summary>Memory: unload models and free memory.</summary>
    public virtual MemoryClient Memory { get; private set; } = null!;

    internal ComfyHttpPipeline Pipeline => _pipeline;

    /// <summary>The client's clock: request timeouts, run checks, socket timers (tests replace it before first use).</summary>
    internal TimeProvider TimeProvider
    {
        get => _pipeline.TimeProvider;
        init => _pipeline.TimeProvider = value;
    }

    private void InitializeAreas()
    {
        Queue = new QueueClient(_pipeline);
        History = new HistoryClient(_pipeline);
        Memory = new MemoryClient(_pipeline);
        InitializeMoreAreas();
    }

    /// <summary>Lets other parts of this partial class create their sub-clients.</summary>
    partial void InitializeMoreAreas();

    private static ComfyUIClientOptions Validate(ComfyUIClientOptions options)
    {
        var result = new ComfyUIClientOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException($"Invalid ComfyUIClientOptions: {result.FailureMessage}", nameof(options));
        }

        return options.Clone();
    }

    internal static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        // gzip only: every server or proxy that compresses offers it, and each accepted method costs every request a header value to add.
        AutomaticDecompression = DecompressionMethods.GZip,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>
    /// Disposes what the client owns: the WebSocket of its tracked runs (runs still going end as lost) and the <see cref="HttpClient"/> if the
    /// client created it. Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose()
    {
        var hub = TakeOwnedRunHub();
        if (hub is not null)
        {
            // Closing the socket is bounded (a close handshake with a deadline, then abort).
            hub.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes what the client owns, closing the WebSocket of its tracked runs cleanly.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        var hub = TakeOwnedRunHub();
        if (hub is not null)
        {
            await hub.DisposeAsync().ConfigureAwait(false);
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    private RunHub? TakeOwnedRunHub() => _ownsRunHub ? Interlocked.Exchange(ref _runHub, null) : null;

    /// <summary>Releases owned resources.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ownedHttpClient?.Dispose();
        }
    }
}
