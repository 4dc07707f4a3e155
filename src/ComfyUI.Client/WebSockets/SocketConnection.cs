using System.Net.WebSockets;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Http;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// The one physical socket of a client id in this process (see <see cref="SocketRegistry"/>): opens it, reads it in one receive loop, hands
/// every message to its <see cref="FanOut"/>, reconnects by itself with the same client id (<see cref="ReconnectPolicy"/>), and closes when
/// its last lease is released. Handles (<see cref="ComfyWebSocket"/>) and the run tracker hold leases on it.
/// </summary>
internal sealed class SocketConnection : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private const int MaxBatchedMessages = 64;

    private readonly SocketOpener _opener;
    private readonly ComfyWebSocketOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ReconnectPolicy _policy;
    private readonly bool _frameWatchdog;
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly object _gate = new();
    private readonly List<SocketLease> _leases = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private Task _pump = Task.CompletedTask;
    private int _pumpStarted;
    private volatile int _state = (int)ComfyWebSocketState.Connecting;
    private int _reconnectCount;
    private int _attempt;
    private volatile bool _closingMarked;
    private volatile string? _sid;
    private volatile FeatureFlagsMessage? _serverFeatures;

    public SocketConnection(ComfyHttpPipeline pipeline, ComfyWebSocketHooks hooks)
    {
        _opener = new SocketOpener(pipeline);
        _options = pipeline.Options.WebSocket;
        _logger = pipeline.Logger;
        _time = pipeline.TimeProvider;
        _policy = new ReconnectPolicy(_options);
        ClientId = pipeline.Options.ClientId;
        Server = pipeline.Server;
        FanOut = new SubscriberFanOut(_logger);
#if NET9_0_OR_GREATER
        _frameWatchdog = hooks.ForceFrameWatchdog || _options.KeepAliveInterval <= TimeSpan.Zero;
#else
        _frameWatchdog = true;
#endif
    }

    /// <summary>The registry key: the socket URL (server, client id and query).</summary>
    public string Key => _opener.Uri.AbsoluteUri;

    public string ClientId { get; }

    /// <summary>The server's address and port for metrics.</summary>
    public ServerEndpoint Server { get; }

    public TimeProvider TimeProvider => _time;

    public ComfyWebSocketOptions Options => _options;

    public SubscriberFanOut FanOut { get; }

    public ComfyWebSocketState State => (ComfyWebSocketState)_state;

    /// <summary>Whether the socket ended by itself (gave up or closed for good) or was closed: it can serve no one any more.</summary>
    public bool IsEnded => _closingMarked || State is ComfyWebSocketState.Closed or ComfyWebSocketState.Faulted;

    public string? Sid => _sid;

    public FeatureFlagsMessage? ServerFeatures => _serverFeatures;

    public int ReconnectCount => Volatile.Read(ref _reconnectCount);

    /// <summary>Completes once the first connection is open (faults when it could not be opened).</summary>
    public Task Opened { get; private set; } = Task.CompletedTask;

    /// <summary>Completes once the connection is closed for good (the socket is gone).</summary>
    public Task Closed => _closed.Task;

    internal int LeaseCount
    {
        get
        {
            lock (_gate)
            {
                return _leases.Count;
            }
        }
    }

    /// <summary>Starts opening the first connection (called once, by the registry).</summary>
    public void BeginOpen(CancellationToken cancellationToken) => Opened = OpenFirstAsync(cancellationToken);

    private async Task OpenFirstAsync(CancellationToken cancellationToken)
    {
        var socket = await _opener.OpenAsync(cancellationToken, _closing.Token).ConfigureAwait(false);
        Volatile.Write(ref _socket, socket);
        _state = (int)ComfyWebSocketState.Connected;
        WebSocketLog.Connected(_logger, ClientId);
    }

    /// <summary>Starts the receive loop once the first lease attached its readers (no message is read before).</summary>
    public void StartPump()
    {
        if (Interlocked.Exchange(ref _pumpStarted, 1) == 0)
        {
            var socket = Volatile.Read(ref _socket)!;
            // The receive loop serves every lease: it must not carry the context (span, log scopes) of the caller that started it.
            using (ExecutionContext.SuppressFlow())
            {
                _pump = Task.Run(() => RunAsync(socket), CancellationToken.None);
            }
        }
    }

    public void AddLease(SocketLease lease)
    {
        lock (_gate)
        {
            _leases.Add(lease);
        }
    }

    /// <summary>Removes a lease; returns whether it was the last one (the caller then closes the connection).</summary>
    public bool RemoveLease(SocketLease lease)
    {
        lock (_gate)
        {
            _leases.Remove(lease);
            return _leases.Count == 0;
        }
    }

    /// <summary>A message for a reader that attaches now: <see cref="ConnectedMessage"/> when the socket is connected.</summary>
    public ComfyMessage? AttachMessage() =>
        State == ComfyWebSocketState.Connected ? new ConnectedMessage { ClientId = ClientId, Time = _time.GetUtcNow() } : null;

    /// <summary>Closes the connection (see <see cref="CloseAsync"/>) and releases its resources.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _closing.Dispose();
        _abort.Dispose();
    }

    /// <summary>Marks the connection as closing (its last lease is gone; called under the registry's lock).</summary>
    public void MarkClosing() => _closingMarked = true;

    /// <summary>Closes the socket cleanly (close handshake with a deadline, then abort) and ends every stream.</summary>
    public async Task CloseAsync()
    {
        if (_closing.IsCancellationRequested)
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await Opened.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var socket = Volatile.Read(ref _socket);
        if (socket is not null && socket.State == WebSocketState.Open)
        {
            using var closeTimeout = new CancellationTokenSource(CloseTimeout, _time);
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
            await _pump.WaitAsync(CloseTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            socket?.Abort();
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        socket?.Dispose();
        if (State is not ComfyWebSocketState.Faulted)
        {
            _state = (int)ComfyWebSocketState.Closed;
        }

        FanOut.CompleteAll(new ClosedMessage { Time = _time.GetUtcNow() }, null);
        _closed.TrySetResult();
    }

    private async Task RunAsync(ClientWebSocket socket)
    {
        Exception? fatal = null;
        try
        {
            while (true)
            {
                var connectedAt = _time.GetTimestamp();
                var drop = await ReceiveUntilDroppedAsync(socket).ConfigureAwait(false);
                await CloseOrAbortAsync(socket).ConfigureAwait(false);
                if (_closing.IsCancellationRequested)
                {
                    break;
                }

                WebSocketLog.Dropped(_logger, ClientId, drop.CloseStatus, drop.IsIdleTimeout, drop.Reason);
                _state = (int)ComfyWebSocketState.Reconnecting;
                await FanOut.PublishAsync(drop, _closing.Token).ConfigureAwait(false);
                if (!_policy.Enabled)
                {
                    if (drop.Reason is not null)
                    {
                        fatal = new ComfyUIWebSocketException("The WebSocket connection was lost and reconnecting is off.", null, drop.Reason);
                    }

                    break;
                }

                socket = await ReconnectAsync(drop, _time.GetElapsedTime(connectedAt)).ConfigureAwait(false);
                Volatile.Write(ref _socket, socket);
                if (_closing.IsCancellationRequested)
                {
                    // Closed while reconnecting: CloseAsync may not have seen this socket.
                    socket.Abort();
                    socket.Dispose();
                    break;
                }

                _state = (int)ComfyWebSocketState.Connected;
                var count = Interlocked.Increment(ref _reconnectCount);
                WebSocketLog.Reconnected(_logger, ClientId, _attempt);
                if (ComfyMetrics.SocketReconnects.Enabled)
                {
                    ComfyMetrics.SocketReconnects.Add(1, Server.Tags());
                }

                await FanOut.PublishAsync(new ReconnectedMessage { ClientId = ClientId, Attempts = _attempt, ReconnectCount = count, Time = _time.GetUtcNow() }, _closing.Token)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            fatal = ex is ComfyUIException ? ex : new ComfyUIWebSocketException("The WebSocket failed.", null, ex);
        }

        if (_closing.IsCancellationRequested)
        {
            // CloseAsync ends the streams once the close handshake is done.
            WebSocketLog.Closed(_logger, ClientId);
            return;
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
        FanOut.CompleteAll(new ClosedMessage { Reason = fatal, Time = _time.GetUtcNow() }, fatal);
        _closed.TrySetResult();
    }

    private async Task<ClientWebSocket> ReconnectAsync(DisconnectedMessage drop, TimeSpan stableFor)
    {
        var token = _closing.Token;
        var delay = _policy.FirstDelay(drop.IsIdleTimeout, stableFor);
        _attempt = 1;
        Exception? reason = drop.Reason;
        while (true)
        {
            WebSocketLog.Reconnecting(_logger, _attempt, ClientId, delay, reason);
            await FanOut.PublishAsync(
                new ReconnectingMessage
                {
                    Attempt = _attempt,
                    Delay = delay,
                    Reason = reason,
                    StatusCode = (reason as ComfyUIWebSocketException)?.StatusCode,
                    Time = _time.GetUtcNow(),
                },
                token).ConfigureAwait(false);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, token).ConfigureAwait(false);
            }

            try
            {
                return await _opener.OpenAsync(token, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !token.IsCancellationRequested)
            {
                if (_policy.NextDelay(_attempt, ex) is not { } next)
                {
                    throw new ComfyUIWebSocketException($"Gave up reconnecting the WebSocket after {_attempt} attempt(s): {ex.Message}",
                        (ex as ComfyUIWebSocketException)?.StatusCode, ex);
                }

                _attempt++;
                delay = next;
                reason = ex;
            }
        }
    }

    private async Task<DisconnectedMessage> ReceiveUntilDroppedAsync(ClientWebSocket socket)
    {
        using var frames = new FrameAssembler(_options.ReceivePreviews, FanOut);
        // An abort ends the receive in flight by aborting the socket: one registration per connection, not one per frame (each receive is
        // given no token of its own).
        using var abortSocket = _abort.Token.UnsafeRegister(static socket => ((ClientWebSocket)socket!).Abort(), socket);
        using var watchdogCts = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var watchdog = _frameWatchdog && _options.IdleTimeout is { } idle
            ? new IdleWatchdog(_time, idle, ProbeAsync, socket.Abort)
            : null;
        var watchdogTask = watchdog?.RunAsync(watchdogCts.Token) ?? Task.CompletedTask;

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
                    var receive = socket.ReceiveAsync(frames.ReceiveBuffer, CancellationToken.None);
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
                    return new DisconnectedMessage { CloseStatus = socket.CloseStatus, CloseDescription = socket.CloseStatusDescription, Time = _time.GetUtcNow() };
                }

                if (frames.TryComplete(result, out var parsed) && parsed is not null)
                {
                    Note(parsed);
                    batch.Add(parsed);
                }

                watchdog?.Resume();
            }
        }
        finally
        {
            await watchdogCts.CancelAsync().ConfigureAwait(false);
            await watchdogTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        DisconnectedMessage Dropped(Exception reason, bool isIdle = false) =>
            new() { Reason = reason, IsIdleTimeout = isIdle, Time = _time.GetUtcNow() };
    }

    /// <summary>Keeps what the connection itself tracks from the server's messages.</summary>
    private void Note(ComfyMessage message)
    {
        switch (message)
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
    }

    /// <summary>Asks the server over HTTP whether it is alive, through the probe of a current lease holder.</summary>
    private Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        Func<CancellationToken, Task>? probe;
        lock (_gate)
        {
            probe = _leases.Count > 0 ? _leases[^1].Probe : null;
        }

        return IdleWatchdog.ProbeAsync(probe, _options.ConnectTimeout, _time, _logger, cancellationToken);
    }

    private async ValueTask CloseOrAbortAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout, _time);
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

        if (!_closing.IsCancellationRequested)
        {
            socket.Dispose();
        }
    }

    private async ValueTask PublishBatchAsync(List<ComfyMessage> batch)
    {
        try
        {
            foreach (var message in batch)
            {
                await FanOut.PublishAsync(message, _closing.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Closing: the rest of the batch goes nowhere.
        }

        batch.Clear();
    }
}
