using System.ComponentModel.DataAnnotations;

namespace ComfyUI.Client;

/// <summary>
/// Settings of a <see cref="ComfyUIClient"/>: where the server is, how to authenticate, timeouts and WebSocket behaviour.
/// </summary>
/// <remarks>Bind it from configuration (a section with the property names as keys) or set it in code.</remarks>
public sealed class ComfyUIClientOptions
{
    /// <summary>
    /// The server's base address, for example <c>http://127.0.0.1:8188/</c> or <c>https://host/comfy/</c> behind a reverse proxy.
    /// Routes are resolved relative to it, so a base path is kept.
    /// </summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The client id sent as <c>client_id</c> with every prompt and as <c>clientId</c> on the WebSocket, so that the server
    /// routes the execution events of this client's prompts to its socket. Defaults to a new 32-character hex id (with dependency injection:
    /// one id per container, the same in <c>IOptions</c>, <c>IOptionsMonitor</c> and the client).
    /// </summary>
    /// <remarks>
    /// ComfyUI keeps one WebSocket per client id: a newer socket replaces the older one, and when either closes the server forgets the id.
    /// Within one process this is handled for you: every client of the same server and client id shares one socket (the run tracker's and
    /// every <c>ConnectWebSocketAsync</c> handle). Two <em>processes</em> (or machines) that use the same fixed id cannot share a socket: the
    /// one that connected last takes the id's events, the other's socket stays open but hears nothing for that id, and once either socket closes
    /// the server routes the id's events nowhere. Runs still end correctly — they reconcile over HTTP after
    /// <see cref="PromptTrackingOptions.SilenceReconcileInterval"/> of silence — but late and without progress or previews, and each process sees
    /// the other's prompt events. Keep the default (a new id per process), or give each process its own fixed id.
    /// </remarks>
    [Required]
    public string ClientId { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// An API key for a proxy or hosted deployment in front of ComfyUI (ComfyUI itself has no authentication).
    /// Sent in <see cref="ApiKeyHeaderName"/> on every HTTP request and on the WebSocket handshake; never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The header that carries <see cref="ApiKey"/>. With the default <c>Authorization</c> the value is sent as <c>Bearer {ApiKey}</c>;
    /// with any other header name it is sent as is.
    /// </summary>
    public string ApiKeyHeaderName { get; set; } = "Authorization";

    /// <summary>
    /// The user for servers started with <c>--multi-user</c>, sent as the <c>Comfy-User</c> header. <see langword="null"/> sends none.
    /// </summary>
    public string? User { get; set; }

    /// <summary>Headers added to every HTTP request and to the WebSocket handshake.</summary>
    public IDictionary<string, string> DefaultHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How long one HTTP call may take until its response headers arrive (and, for calls that return parsed data, until the body is read).
    /// Defaults to 100 seconds. <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Whether the client's own HTTP handler asks for gzip-compressed answers (<c>Accept-Encoding: gzip</c>) and decompresses them. ComfyUI
    /// compresses JSON and text answers only when started with <c>--enable-compress-response-body</c>: turn this on for such a server behind a
    /// slow link (<c>/object_info</c> is 1–2 MB). Off by default, since an accepted encoding costs every request a header and a decompression
    /// layer for nothing when the server does not compress. Applies to clients created from options and through <c>AddComfyUIClient</c>; an
    /// <see cref="HttpClient"/> you pass in keeps its own setting.
    /// </summary>
    public bool AcceptCompressedResponses { get; set; }

    /// <summary>The largest error body read into an exception, in characters. Longer bodies are cut. Defaults to 16 384.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxErrorBodyLength { get; set; } = 16 * 1024;

    /// <summary>
    /// Whether <c>SubmitAsync</c> and <c>RunAsync</c> validate a workflow offline before <c>POST /prompt</c>
    /// (<see cref="ComfyUIClient.ValidateAsync"/>), so that a prompt the server would reject fails at once with the server's own
    /// <see cref="ComfyUIPromptValidationException"/> (<see cref="ComfyUIPromptValidationException.ValidatedOffline"/> set), before
    /// anything is uploaded or queued. The node schema is read once per client (or DI container); a rejection is confirmed with a fresh schema first.
    /// <see cref="PromptOptions.Validate"/> overrides it per submission. Defaults to <see langword="false"/>.
    /// </summary>
    public bool ValidatePrompts { get; set; }

    /// <summary>Settings of the WebSocket opened by <c>ConnectWebSocketAsync</c>.</summary>
    public ComfyWebSocketOptions WebSocket { get; set; } = new();

    /// <summary>Settings of tracked runs (<c>SubmitAsync</c>, <c>RunAsync</c>).</summary>
    public PromptTrackingOptions Tracking { get; set; } = new();

    /// <summary>Settings of the OpenTelemetry-style traces of runs (see <see cref="ComfyUIDiagnostics"/>).</summary>
    public ComfyTelemetryOptions Telemetry { get; set; } = new();

    internal ComfyUIClientOptions Clone()
    {
        var copy = new ComfyUIClientOptions
        {
            BaseAddress = BaseAddress,
            ClientId = ClientId,
            ApiKey = ApiKey,
            ApiKeyHeaderName = ApiKeyHeaderName,
            User = User,
            RequestTimeout = RequestTimeout,
            AcceptCompressedResponses = AcceptCompressedResponses,
            MaxErrorBodyLength = MaxErrorBodyLength,
            ValidatePrompts = ValidatePrompts,
            WebSocket = WebSocket.Clone(),
            Tracking = Tracking.Clone(),
            Telemetry = Telemetry.Clone(),
        };
        foreach (var header in DefaultHeaders)
        {
            copy.DefaultHeaders[header.Key] = header.Value;
        }

        return copy;
    }
}

/// <summary>Settings of the WebSocket connection.</summary>
public sealed class ComfyWebSocketOptions
{
    /// <summary>How many received messages may wait for a slow reader before the socket stops reading (back-pressure). Defaults to 1024.</summary>
    [Range(1, 1_000_000)]
    public int ChannelCapacity { get; set; } = 1024;

    /// <summary>Whether binary preview frames are surfaced. <see langword="false"/> drops them as they arrive. Defaults to <see langword="true"/>.</summary>
    public bool ReceivePreviews { get; set; } = true;

    /// <summary>
    /// When a reader is slower than the server, drop preview frames instead of waiting for room (execution messages are never dropped).
    /// Defaults to <see langword="true"/>.
    /// </summary>
    public bool DropPreviewsWhenFull { get; set; } = true;

    /// <summary>Whether the socket reconnects by itself after it drops. Defaults to <see langword="true"/>.</summary>
    public bool AutoReconnect { get; set; } = true;

    /// <summary>How many reconnect attempts in a row before giving up; <see langword="null"/> retries forever. Defaults to <see langword="null"/>.</summary>
    public int? MaxReconnectAttempts { get; set; }

    /// <summary>The first reconnect delay (positive); later ones grow exponentially, with jitter, up to <see cref="ReconnectMaxDelay"/>. Defaults to 500 ms.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest reconnect delay. Defaults to 30 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The delay before retrying after the server refused the upgrade with 401, 403 or 404, which a fast retry will not fix.
    /// Defaults to 30 seconds.
    /// </summary>
    public TimeSpan RefusedRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening the socket may take. Defaults to 15 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The interval of WebSocket keep-alive frames. On .NET 9 and later they are pings, and a socket whose pongs stop for <see cref="IdleTimeout"/> is
    /// reconnected; on .NET 8 they are unsolicited pongs that keep proxies open, and the idle watchdog decides. <see cref="TimeSpan.Zero"/> turns them off
    /// (then the idle watchdog is used everywhere). Defaults to 15 seconds.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the socket may stay silent before it is considered dead and reconnected. On .NET 9 and later (with keep-alive on) this is the pong
    /// timeout of the keep-alive pings, so a healthy idle server is never reconnected. On .NET 8 it is a frame watchdog: ComfyUI sends nothing while
    /// idle, so the watchdog reconnects quietly once per period of silence; runs reconcile from history when it fires.
    /// <see langword="null"/> turns it off. Defaults to 60 seconds.
    /// </summary>
    /// <remarks>
    /// With keep-alive pings (.NET 9 and later) pongs are only seen while the socket is read, so a subscriber that holds the socket back
    /// (back-pressure) for longer than this makes it reconnect, and events sent meanwhile are lost. Keep readers moving, raise this value, or set
    /// <see cref="KeepAliveInterval"/> to <see cref="TimeSpan.Zero"/> to use the frame watchdog, which does not count time held back as silence.
    /// </remarks>
    public TimeSpan? IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Adjusts each <see cref="System.Net.WebSockets.ClientWebSocket"/> before it connects: a proxy, client certificates, or
    /// <c>RemoteCertificateValidationCallback</c> for a server with a private certificate. The SDK's own headers are already set.
    /// </summary>
    public Action<System.Net.WebSockets.ClientWebSocketOptions>? ConfigureClientWebSocket { get; set; }

    /// <summary>Extra query parameters for the socket URL (some hosted deployments take a token there).</summary>
    public IDictionary<string, string> QueryParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal ComfyWebSocketOptions Clone()
    {
        var copy = new ComfyWebSocketOptions
        {
            ChannelCapacity = ChannelCapacity,
            ReceivePreviews = ReceivePreviews,
            DropPreviewsWhenFull = DropPreviewsWhenFull,
            AutoReconnect = AutoReconnect,
            MaxReconnectAttempts = MaxReconnectAttempts,
            ReconnectBaseDelay = ReconnectBaseDelay,
            ReconnectMaxDelay = ReconnectMaxDelay,
            RefusedRetryDelay = RefusedRetryDelay,
            ConnectTimeout = ConnectTimeout,
            KeepAliveInterval = KeepAliveInterval,
            IdleTimeout = IdleTimeout,
            ConfigureClientWebSocket = ConfigureClientWebSocket,
        };
        foreach (var pair in QueryParameters)
        {
            copy.QueryParameters[pair.Key] = pair.Value;
        }

        return copy;
    }
}

/// <summary>Settings of tracked runs.</summary>
public sealed class PromptTrackingOptions
{
    /// <summary>
    /// How often a run with no usable WebSocket polls <c>/history/{id}</c> and <c>/queue</c>. Defaults to 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a run whose prompt is in neither the queue nor the history may stay in doubt before it is declared lost
    /// (the server restarted). Defaults to 10 seconds.
    /// </summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a run may go without any event (measured from its last event or check) before it reads <c>/history/{id}</c> (and, when the
    /// prompt is not there yet, <c>/queue</c>) over HTTP; it checks again after each further interval of silence. So a result that exists on the
    /// server reaches the run within this interval whatever the WebSocket does (a socket held open but silent, a proxy that swallows frames).
    /// Defaults to 10 seconds.
    /// </summary>
    public TimeSpan SilenceReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the server may stay unreachable (HTTP failing) while a run waits before the run is declared lost. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan UnreachableAfter { get; set; } = TimeSpan.FromMinutes(5);

    internal PromptTrackingOptions Clone() => (PromptTrackingOptions)MemberwiseClone();
}

/// <summary>
/// Settings of the traces the SDK records for runs while a listener is attached to <see cref="ComfyUIDiagnostics.ActivitySourceName"/> (with none,
/// nothing is recorded whatever these say).
/// </summary>
public sealed class ComfyTelemetryOptions
{
    /// <summary>
    /// Whether each executed node becomes a child span of its run, named <c>comfyui.node {class_type}</c> and timed from its <c>executing</c> message
    /// to the next. Off by default: each node is then an event (<c>comfyui.node.executed</c>, with its duration) on the run's span.
    /// </summary>
    public bool NodeSpans { get; set; }

    /// <summary>
    /// The least time between two <c>comfyui.progress</c> events of one node on a run's span (its first and its last step are always recorded).
    /// Defaults to 1 second; <see cref="TimeSpan.Zero"/> records every step.
    /// </summary>
    public TimeSpan ProgressEventInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal ComfyTelemetryOptions Clone() => (ComfyTelemetryOptions)MemberwiseClone();
}
