using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;
using ComfyUI.Client.WebSockets;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace ComfyUI.Client;

/// <summary>The state of a <see cref="ComfyWebSocket"/>.</summary>
public enum ComfyWebSocketState
{
    /// <summary>Opening the first connection.</summary>
    Connecting,

    /// <summary>Connected and reading.</summary>
    Connected,

    /// <summary>The connection dropped; reconnecting.</summary>
    Reconnecting,

    /// <summary>Closed for good (disposed, or closed by the server with reconnecting off).</summary>
    Closed,

    /// <summary>Failed for good (reconnecting gave up, or the connection dropped with reconnecting off).</summary>
    Faulted,
}

/// <summary>
/// The realtime half of the SDK: ComfyUI's <c>/ws</c> as a stream of typed <see cref="ComfyMessage"/> records, reconnecting by itself with the same
/// client id. Open it with <see cref="ComfyUIClient.ConnectWebSocketAsync(CancellationToken)"/> before submitting prompts, so no event is missed.
/// </summary>
/// <remarks>
/// <para>One receive loop reads the socket and delivers each message, in order, to every subscriber: the socket's own stream
/// (<see cref="ReadAllAsync"/>, which buffers from the moment of connecting) and each <see cref="Subscribe"/>d reader. A full subscriber holds the
/// loop back (back-pressure), except for previews when <see cref="ComfyWebSocketOptions.DropPreviewsWhenFull"/> is on; execution messages are never
/// dropped. Until someone reads the socket's own stream, it buffers up to <see cref="ComfyWebSocketOptions.ChannelCapacity"/> messages and then
/// stops buffering instead of holding the socket back.</para>
/// <para>Connection changes arrive in-band: <see cref="ConnectedMessage"/>, <see cref="DisconnectedMessage"/>, <see cref="ReconnectingMessage"/>,
/// <see cref="ReconnectedMessage"/> and a last <see cref="ClosedMessage"/>. Events sent while the socket was down are lost: reconcile over HTTP
/// after a reconnect.</para>
/// </remarks>
public sealed class ComfyWebSocket : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private const int ReceiveBufferSize = 128 * 1024;
    private const int MaxBatchedMessages = 64;
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly ComfyHttpPipeline _pipeline;
    private readonly ComfyWebSocketOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Uri _uri;
    private readonly bool _frameWatchdog;
    private readonly byte[] _featureFlags;
    private readonly object _gate = new();
    private readonly ComfyWebSocketSubscription _default;
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly CancellationTokenSource _abortCts = new();
    private readonly ResiliencePipeline<ClientWebSocket>? _reconnectPipeline;
    private ComfyWebSocketSubscription[] _subscribers;
    private ClientWebSocket? _socket;
    private Task _pump = Task.CompletedTask;
    private volatile int _state = (int)ComfyWebSocketState.Connecting;
    private volatile bool _completed;
    private Exception? _completion;
    private long _droppedPreviews;
    private int _reconnectCount;
    private int _flaps;
    private int _disposed;
    private int _attempt;
    private bool _warnedDefaultFull;
    private volatile string? _sid;
    private volatile FeatureFlagsMessage? _serverFeatures;
    private volatile Action<ComfyMessage>? _observer;

    private ComfyWebSocket(ComfyHttpPipeline pipeline, ComfyWebSocketHooks hooks)
    {
        _pipeline = pipeline;
        _options = pipeline.Options.WebSocket;
        _logger = pipeline.Logger;
        _time = hooks.TimeProvider;
        ClientId = pipeline.Options.ClientId;
        _uri = BuildUri(pipeline.BaseAddress, ClientId, _options.QueryParameters);
#if NET9_0_OR_GREATER
        _frameWatchdog = hooks.ForceFrameWatchdog || _options.KeepAliveInterval <= TimeSpan.Zero;
#else
        _frameWatchdog = true;
#endif
        _featureFlags = JsonSerializer.SerializeToUtf8Bytes(
            new ClientFeatureFlags { Data = { ["supports_preview_metadata"] = true } }, ComfyJsonContext.Default.ClientFeatureFlags);
        _default = new ComfyWebSocketSubscription(this, _options.ChannelCapacity, _options.DropPreviewsWhenFull, bufferUntilRead: true);
        _subscribers = [_default];
        if (_options.AutoReconnect && _options.MaxReconnectAttempts is not (0 or 1))
        {
            _reconnectPipeline = new ResiliencePipelineBuilder<ClientWebSocket> { TimeProvider = _time }
                .AddRetry(new RetryStrategyOptions<ClientWebSocket>
                {
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = _options.ReconnectBaseDelay,
                    MaxDelay = _options.ReconnectMaxDelay,
                    MaxRetryAttempts = _options.MaxReconnectAttempts is { } max ? max - 1 : int.MaxValue,
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                        args.Outcome.Exception is ComfyUIWebSocketException { IsRefused: true } ? _options.RefusedRetryDelay : null),
                    OnRetry = args => OnRetryAsync(args.AttemptNumber, args.RetryDelay, args.Outcome.Exception),
                })
                .Build();
        }
    }

    /// <summary>The client id the socket connects with (<see cref="ComfyUIClientOptions.ClientId"/>); prompts submitted with it report here.</summary>
    public string ClientId { get; }

    /// <summary>The client id as the server confirmed it in its first <c>status</c> message of the current connection, once received.</summary>
    public string? Sid => _sid;

    /// <summary>The server's answer to the <c>feature_flags</c> handshake on the current connection, once received (reset on each reconnect).</summary>
    public FeatureFlagsMessage? ServerFeatures => _serverFeatures;

    /// <summary>The connection's state.</summary>
    public ComfyWebSocketState State => (ComfyWebSocketState)_state;

    /// <summary>Whether the socket is connected now.</summary>
    public bool IsConnected => State == ComfyWebSocketState.Connected;

    /// <summary>How many times the socket reconnected.</summary>
    public int ReconnectCount => Volatile.Read(ref _reconnectCount);

    /// <summary>How many previews were dropped, over all subscribers, because a subscriber was full.</summary>
    public long DroppedPreviews => Interlocked.Read(ref _droppedPreviews);

    /// <summary>
    /// Reads the socket's own stream: every message since the socket connected (buffered up to <see cref="ComfyWebSocketOptions.ChannelCapacity"/>
    /// until the first read), then as they arrive. Ends when the socket is disposed or closed; throws the fatal error when it failed; throws
    /// <see cref="OperationCanceledException"/> promptly on cancellation. Read it from one enumeration at a time; use <see cref="Subscribe"/> for more readers.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The messages in the order they were received.</returns>
    public IAsyncEnumerable<ComfyMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _default.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Adds an independent reader that sees every message from now on (no new socket is opened). Subscribe before submitting a prompt to see all
    /// of its events. Dispose the subscription to stop delivery to it.
    /// </summary>
    /// <returns>The subscription; read it with <see cref="ComfyWebSocketSubscription.ReadAllAsync"/>.</returns>
    public ComfyWebSocketSubscription Subscribe()
    {
        var subscription = new ComfyWebSocketSubscription(this, _options.ChannelCapacity, _options.DropPreviewsWhenFull, bufferUntilRead: false);
        lock (_gate)
        {
            if (_completed)
            {
                subscription.Complete(null, _completion);
                return subscription;
            }

            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    /// <summary>Closes the socket cleanly (close handshake with a deadline, then abort) and ends every stream.</summary>
    /// <returns>A task that completes when the socket is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposeCts.CancelAsync().ConfigureAwait(false);
        var socket = Volatile.Read(ref _socket);
        if (socket is not null && socket.State == WebSocketState.Open)
        {
            using var closeTimeout = new CancellationTokenSource(CloseTimeout);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", closeTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                socket.Abort();
            }
        }

        try
        {
            await _pump.WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abortCts.CancelAsync().ConfigureAwait(false);
            socket?.Abort();
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        socket?.Dispose();
        CompleteAll(null);
        _disposeCts.Dispose();
        _abortCts.Dispose();
    }

    internal static async Task<ComfyWebSocket> ConnectAsync(ComfyHttpPipeline pipeline, ComfyWebSocketHooks hooks, CancellationToken cancellationToken)
    {
        var webSocket = new ComfyWebSocket(pipeline, hooks);
        try
        {
            var socket = await webSocket.OpenAsync(cancellationToken).ConfigureAwait(false);
            webSocket._socket = socket;
            webSocket._state = (int)ComfyWebSocketState.Connected;
            WebSocketLog.Connected(webSocket._logger, webSocket.ClientId);

            // Into the socket's own stream before anyone can subscribe: subscribers see what comes after connecting.
            await webSocket._default.WriteAsync(
                new ConnectedMessage { ClientId = webSocket.ClientId, Time = webSocket._time.GetUtcNow() }, isPreview: false, CancellationToken.None).ConfigureAwait(false);
            webSocket._pump = Task.Run(() => webSocket.RunAsync(socket), CancellationToken.None);
        }
        catch
        {
            await webSocket.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return webSocket;
    }

    internal static Uri BuildUri(Uri baseAddress, string clientId, IDictionary<string, string> queryParameters)
    {
        var builder = new UriBuilder(new Uri(baseAddress, "ws"))
        {
            Scheme = baseAddress.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        };
        var query = new StringBuilder("clientId=").Append(Uri.EscapeDataString(clientId));
        foreach (var (key, value) in queryParameters)
        {
            query.Append('&').Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        builder.Query = query.ToString();
        return builder.Uri;
    }

    /// <summary>
    /// Hands every message from now on to <paramref name="observer"/>, called inline on the receive loop (it must be quick and must not block),
    /// and stops feeding the socket's own stream, which its owner does not read. The last call is a <see cref="ClosedMessage"/> when the socket ends.
    /// Used by the run tracker, which owns its socket: no channel hop and no second buffer per message.
    /// </summary>
    internal void UseObserver(Action<ComfyMessage> observer)
    {
        lock (_gate)
        {
            _observer = observer;
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, _default));
        }

        _default.Complete(null, null);
    }

    private void Observe(ComfyMessage message)
    {
        try
        {
            _observer?.Invoke(message);
        }
        catch (Exception ex)
        {
            WebSocketLog.ProtocolError(_logger, "a message observer failed: " + ex.Message);
        }
    }

    internal void Unsubscribe(ComfyWebSocketSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }

    internal void OnDefaultStreamFull(ComfyMessage message)
    {
        if (!_warnedDefaultFull)
        {
            _warnedDefaultFull = true;
            WebSocketLog.DefaultStreamFull(_logger, message.GetType().Name);
        }
    }

    private async Task<ClientWebSocket> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            var options = socket.Options;
            options.CollectHttpResponseDetails = true;
            _pipeline.ApplyHeaders((name, value) => options.SetRequestHeader(name, value));
            if (_options.KeepAliveInterval > TimeSpan.Zero)
            {
                options.KeepAliveInterval = _options.KeepAliveInterval;
#if NET9_0_OR_GREATER
                if (_options.IdleTimeout is { } idle)
                {
                    options.KeepAliveTimeout = idle;
                }
#endif
            }

            _options.ConfigureClientWebSocket?.Invoke(options);

            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _disposeCts.Token);
            try
            {
                await socket.ConnectAsync(_uri, linked.Token).ConfigureAwait(false);
                await socket.SendAsync(_featureFlags, WebSocketMessageType.Text, endOfMessage: true, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !_disposeCts.IsCancellationRequested)
            {
                throw new ComfyUIWebSocketException($"Opening the WebSocket timed out after {_options.ConnectTimeout}.", null, ex);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
            {
                var status = socket.HttpStatusCode;
                HttpStatusCode? statusCode = status == 0 ? null : status;
                if (statusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    WebSocketLog.Refused(_logger, (int)status);
                }

                throw new ComfyUIWebSocketException(
                    statusCode is { } code
                        ? $"The server refused the WebSocket upgrade with {(int)code} {code}."
                        : $"The WebSocket could not be opened: {ex.Message}",
                    statusCode,
                    ex);
            }

            _sid = null;
            _serverFeatures = null;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task RunAsync(ClientWebSocket socket)
    {
        Exception? fatal = null;
        ClosedMessage? closed = null;
        try
        {
            while (true)
            {
                var connectedAt = _time.GetTimestamp();
                var drop = await ReceiveUntilDroppedAsync(socket).ConfigureAwait(false);
                await CloseOrAbortAsync(socket).ConfigureAwait(false);
                if (_disposeCts.IsCancellationRequested)
                {
                    break;
                }

                WebSocketLog.Dropped(_logger, ClientId, drop.CloseStatus, drop.IsIdleTimeout, drop.Reason);
                _state = (int)ComfyWebSocketState.Reconnecting;
                await PublishAsync(drop).ConfigureAwait(false);
                if (!_options.AutoReconnect || _options.MaxReconnectAttempts == 0)
                {
                    if (drop.Reason is not null)
                    {
                        fatal = new ComfyUIWebSocketException("The WebSocket connection was lost and reconnecting is off.", null, drop.Reason);
                    }

                    break;
                }

                socket = await ReconnectAsync(drop, connectedAt).ConfigureAwait(false);
                Volatile.Write(ref _socket, socket);
                if (_disposeCts.IsCancellationRequested)
                {
                    // Disposed while reconnecting: DisposeAsync may not have seen this socket.
                    socket.Abort();
                    socket.Dispose();
                    break;
                }

                _state = (int)ComfyWebSocketState.Connected;
                var count = Interlocked.Increment(ref _reconnectCount);
                WebSocketLog.Reconnected(_logger, ClientId, _attempt);
                await PublishAsync(new ReconnectedMessage { ClientId = ClientId, Attempts = _attempt, ReconnectCount = count, Time = _time.GetUtcNow() })
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_disposeCts.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            fatal = ex is ComfyUIException ? ex : new ComfyUIWebSocketException("The WebSocket failed.", null, ex);
        }

        if (fatal is not null)
        {
            WebSocketLog.Failed(_logger, ClientId, fatal);
        }
        else
        {
            WebSocketLog.Closed(_logger, ClientId);
        }

        _state = (int)(fatal is null ? ComfyWebSocketState.Closed : ComfyWebSocketState.Faulted);
        closed = new ClosedMessage { Reason = fatal, Time = _time.GetUtcNow() };
        CompleteAll(fatal, closed);
    }

    private async Task<ClientWebSocket> ReconnectAsync(DisconnectedMessage drop, long connectedAt)
    {
        var token = _disposeCts.Token;
        var stableFor = _time.GetElapsedTime(connectedAt);
        _flaps = drop.IsIdleTimeout || stableFor >= _options.ReconnectMaxDelay ? 0 : _flaps + 1;
        var firstDelay = _flaps == 0
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(_options.ReconnectMaxDelay.Ticks, _options.ReconnectBaseDelay.Ticks * (1L << Math.Min(_flaps - 1, 20))));
        _attempt = 1;
        WebSocketLog.Reconnecting(_logger, 1, ClientId, firstDelay, drop.Reason);
        await PublishAsync(new ReconnectingMessage { Attempt = 1, Delay = firstDelay, Reason = drop.Reason, Time = _time.GetUtcNow() }).ConfigureAwait(false);
        if (firstDelay > TimeSpan.Zero)
        {
            await Task.Delay(firstDelay, _time, token).ConfigureAwait(false);
        }

        try
        {
            if (_reconnectPipeline is null)
            {
                return await OpenAsync(token).ConfigureAwait(false);
            }

            return await _reconnectPipeline.ExecuteAsync(
                static async (self, ct) => await self.OpenAsync(ct).ConfigureAwait(false), this, token).ConfigureAwait(false);
        }
        catch (ComfyUIWebSocketException ex) when (!token.IsCancellationRequested)
        {
            throw new ComfyUIWebSocketException($"Gave up reconnecting the WebSocket after {_attempt} attempt(s): {ex.Message}", ex.StatusCode, ex);
        }
    }

    private async ValueTask OnRetryAsync(int failedAttempt, TimeSpan delay, Exception? reason)
    {
        _attempt = failedAttempt + 2;
        WebSocketLog.Reconnecting(_logger, _attempt, ClientId, delay, reason);
        await PublishAsync(new ReconnectingMessage
        {
            Attempt = _attempt,
            Delay = delay,
            Reason = reason,
            StatusCode = (reason as ComfyUIWebSocketException)?.StatusCode,
            Time = _time.GetUtcNow(),
        }).ConfigureAwait(false);
    }

    private async Task<DisconnectedMessage> ReceiveUntilDroppedAsync(ClientWebSocket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        var message = new ArrayBufferWriter<byte>();
        using var watchdogCts = CancellationTokenSource.CreateLinkedTokenSource(_abortCts.Token);
        var watchdog = _frameWatchdog && _options.IdleTimeout is { } idle
            ? new IdleWatchdog(this, socket, idle)
            : null;
        var watchdogTask = watchdog?.RunAsync(watchdogCts.Token) ?? Task.CompletedTask;
        var oversized = false;

        // Messages parsed while more frames are already at hand are handed out together, when the next read would wait (or the batch is
        // full): a burst wakes each reader once per batch instead of once per message.
        var batch = new List<ComfyMessage>();
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result;
                try
                {
                    var receive = socket.ReceiveAsync(buffer.AsMemory(), _abortCts.Token);
                    if (batch.Count > 0 && (!receive.IsCompleted || batch.Count >= MaxBatchedMessages))
                    {
                        watchdog?.Pause();
                        await PublishBatchAsync(batch).ConfigureAwait(false);
                        watchdog?.Resume();
                    }

                    result = await receive.ConfigureAwait(false);
                }
                catch (Exception ex) when (watchdog is { Fired: true })
                {
                    await PublishBatchAsync(batch).ConfigureAwait(false);
                    return Dropped(new TimeoutException($"No WebSocket frame arrived for {_options.IdleTimeout} and the server did not answer a probe.", ex), isIdle: true);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
                {
                    await PublishBatchAsync(batch).ConfigureAwait(false);
                    return Dropped(ex);
                }

                watchdog?.Pause();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await PublishBatchAsync(batch).ConfigureAwait(false);
                    return new DisconnectedMessage
                    {
                        CloseStatus = socket.CloseStatus,
                        CloseDescription = socket.CloseStatusDescription,
                        Time = _time.GetUtcNow(),
                    };
                }

                // A whole message in one read (the usual case) is parsed straight from the receive buffer; fragments are gathered first.
                var whole = result.EndOfMessage && message.WrittenCount == 0 && !oversized;
                if (!whole)
                {
                    if (!oversized && message.WrittenCount + result.Count <= MaxMessageBytes)
                    {
                        message.Write(buffer.AsSpan(0, result.Count));
                    }
                    else
                    {
                        oversized = true;
                    }
                }

                if (!result.EndOfMessage)
                {
                    watchdog?.Resume();
                    continue;
                }

                var frame = whole ? buffer.AsSpan(0, result.Count) : message.WrittenSpan;
                var binary = result.MessageType == WebSocketMessageType.Binary;
                ComfyMessage? parsed;
                if (oversized)
                {
                    parsed = new ProtocolErrorMessage
                    {
                        Exception = new ComfyUIProtocolException($"A WebSocket frame is larger than {MaxMessageBytes} bytes and was skipped.", "WebSocket", null),
                        IsBinary = binary,
                        RawFrame = message.WrittenMemory[..Math.Min(message.WrittenCount, ComfyMessageParser.MaxKeptRawBytes)].ToArray(),
                    };
                }
                else if (binary && !_options.ReceivePreviews && IsPreviewFrame(frame))
                {
                    parsed = null;
                }
                else
                {
                    parsed = ComfyMessageParser.ParseOrError(frame, binary);
                }

                message.ResetWrittenCount();
                oversized = false;
                if (parsed is not null)
                {
                    switch (parsed)
                    {
                        case StatusMessage { Sid: { } sid }:
                            _sid = sid;
                            break;
                        case FeatureFlagsMessage flags:
                            _serverFeatures = flags;
                            break;
                        case ProtocolErrorMessage error:
                            WebSocketLog.ProtocolError(_logger, error.Exception.Message);
                            break;
                    }

                    batch.Add(parsed);
                }

                watchdog?.Resume();
            }
        }
        finally
        {
            await watchdogCts.CancelAsync().ConfigureAwait(false);
            await watchdogTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        DisconnectedMessage Dropped(Exception reason, bool isIdle = false) =>
            new() { Reason = reason, IsIdleTimeout = isIdle, Time = _time.GetUtcNow() };
    }

    /// <summary>
    /// The frame watchdog (used where keep-alive pings cannot detect a dead peer, i.e. .NET 8): when no frame arrived for the idle timeout, it asks
    /// the server over HTTP (<c>GET /prompt</c>) whether it is alive. ComfyUI sends nothing while idle, so an answer counts as life and the socket is
    /// kept; no answer aborts the socket, which reconnects. Time spent waiting for slow subscribers does not count as silence.
    /// </summary>
    private sealed class IdleWatchdog(ComfyWebSocket owner, ClientWebSocket socket, TimeSpan idle)
    {
        private long _lastLife = owner._time.GetTimestamp();
        private volatile bool _paused;

        public bool Fired { get; private set; }

        public void Pause() => _paused = true;

        public void Resume()
        {
            Interlocked.Exchange(ref _lastLife, owner._time.GetTimestamp());
            _paused = false;
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var time = owner._time;
            while (!cancellationToken.IsCancellationRequested)
            {
                var silentFor = time.GetElapsedTime(Interlocked.Read(ref _lastLife));
                if (_paused || silentFor < idle)
                {
                    await Task.Delay(_paused ? idle : idle - silentFor, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await owner.ProbeServerAsync(cancellationToken).ConfigureAwait(false))
                {
                    Interlocked.Exchange(ref _lastLife, time.GetTimestamp());
                    continue;
                }

                Fired = true;
                socket.Abort();
                return;
            }
        }
    }

    private async Task<bool> ProbeServerAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await new QueueClient(_pipeline).GetStatusAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is ComfyUIException or HttpRequestException or OperationCanceledException or IOException)
        {
            WebSocketLog.ProbeFailed(_logger, ex);
            return false;
        }
    }

    private static bool IsPreviewFrame(ReadOnlySpan<byte> frame) =>
        frame.Length >= 4 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame) is ComfyMessageParser.PreviewImageEvent or ComfyMessageParser.PreviewImageWithMetadataEvent;

    private async ValueTask CloseOrAbortAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone; abort below.
        }

        if (socket.State != WebSocketState.Closed)
        {
            socket.Abort();
        }

        if (!_disposeCts.IsCancellationRequested)
        {
            socket.Dispose();
        }
    }

    private async ValueTask PublishBatchAsync(List<ComfyMessage> batch)
    {
        foreach (var message in batch)
        {
            await PublishAsync(message).ConfigureAwait(false);
        }

        batch.Clear();
    }

    private async ValueTask PublishAsync(ComfyMessage message)
    {
        Observe(message);
        var subscribers = Volatile.Read(ref _subscribers);
        var isPreview = message is PreviewImageMessage or PreviewImageWithMetadataMessage;
        foreach (var subscriber in subscribers)
        {
            bool dropped;
            try
            {
                dropped = await subscriber.WriteAsync(message, isPreview, _disposeCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_disposeCts.IsCancellationRequested)
            {
                return;
            }

            if (dropped)
            {
                var total = Interlocked.Increment(ref _droppedPreviews);
                WebSocketLog.PreviewDropped(_logger, total);
            }
        }
    }

    private void CompleteAll(Exception? error, ComfyMessage? last = null)
    {
        ComfyWebSocketSubscription[] subscribers;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _completion = error;
            subscribers = _subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Complete(last, error);
        }

        Observe(last ?? new ClosedMessage { Reason = error, Time = _time.GetUtcNow() });
    }
}
