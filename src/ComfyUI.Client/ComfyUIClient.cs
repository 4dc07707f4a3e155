using System.Net;
using ComfyUI.Client.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyUI.Client;

/// <summary>
/// The entry point of the SDK: a client for one ComfyUI server. Its properties split the server's routes by area
/// (<see cref="Queue"/>, <see cref="History"/>, …); all of them share one HTTP connection pool and one request pipeline.
/// </summary>
/// <remarks>
/// Thread-safe: share one instance. Created with a <see cref="Uri"/> or options it owns its HTTP handler and disposes it;
/// created with an <see cref="HttpClient"/> (or through <c>AddComfyUIClient</c>) it never disposes the one it was given.
/// </remarks>
public partial class ComfyUIClient : IDisposable, IAsyncDisposable
{
    private readonly HttpMessageInvoker? _ownedInvoker;
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>Creates a client for the server at <paramref name="baseAddress"/>, for example <c>http://127.0.0.1:8188</c>.</summary>
    /// <param name="baseAddress">The server's address, with a base path if it is served under one.</param>
    public ComfyUIClient(Uri baseAddress)
        : this(new ComfyUIClientOptions { BaseAddress = baseAddress ?? throw new ArgumentNullException(nameof(baseAddress)) })
    {
    }

    /// <summary>
    /// Creates a client from options. The client owns and disposes its HTTP handler (a <see cref="SocketsHttpHandler"/> that it calls
    /// directly: addresses, headers and timeouts are the client's own, so no <see cref="HttpClient"/> layer is needed).
    /// </summary>
    /// <param name="options">The settings; <see cref="ComfyUIClientOptions.BaseAddress"/> is required.</param>
    /// <param name="logger">A logger, or <see langword="null"/> for none.</param>
    public ComfyUIClient(ComfyUIClientOptions options, ILogger<ComfyUIClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validated = Validate(options);
        _ownedInvoker = new HttpMessageInvoker(CreateDefaultHandler(validated), disposeHandler: true);
        _pipeline = new ComfyHttpPipeline(_ownedInvoker, validated, (ILogger?)logger ?? NullLogger.Instance);
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

    /// <summary>
    /// The HTTP handler of a client created from options (and of <c>AddComfyUIClient</c>'s clients): pooled connections renewed every two
    /// minutes (DNS changes are seen), a connect timeout, gzip only when <see cref="ComfyUIClientOptions.AcceptCompressedResponses"/> asks for it
    /// (ComfyUI compresses only gzip, and only when told to), and no automatic redirects: ComfyUI's routes never redirect, so a redirect comes
    /// from something in front of it and is reported with its target (<see cref="ComfyUIApiException"/>) instead of being followed (which
    /// would turn a POST into a GET and drop the API key).
    /// </summary>
    internal static SocketsHttpHandler CreateDefaultHandler(ComfyUIClientOptions options) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AutomaticDecompression = options.AcceptCompressedResponses ? DecompressionMethods.GZip : DecompressionMethods.None,
        AllowAutoRedirect = false,
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
            _ownedInvoker?.Dispose();
        }
    }
}
