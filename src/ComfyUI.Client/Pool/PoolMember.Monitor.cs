namespace ComfyUI.Client;

/// <content>
/// The health watch of one server. The pool holds a handle on the server's WebSocket (the client id's one socket, shared with the client's
/// tracked runs): while it is connected the server is healthy, and its <c>status</c> messages give its queue. While it is down, the server is
/// probed over HTTP (<c>GET /system_stats</c>): answering, it is degraded (it takes prompts, its queue is polled); silent, it is unhealthy and
/// probed again after a delay that doubles up to <see cref="ComfyUIPoolOptions.ProbeMaxDelay"/> (a circuit breaker: open while unhealthy, one
/// probe at a time). A server that comes back is checked for a restart, and prompts given up on it are removed from it.
/// </content>
internal sealed partial class PoolMember
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstVerdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ComfyWebSocket? _socket;
    private Task _reader = Task.CompletedTask;
    private Task _monitor = Task.CompletedTask;
    private bool _socketUp;
    private bool _httpSuspect;
    private int _failedProbes;
    private long _unhealthySince;
    private bool _gaveUpRuns;
    private int _restartCheck;

    /// <summary>Completes once the server's health is first known (routing waits for servers still starting).</summary>
    public Task FirstVerdict => _firstVerdict.Task;

    public void StartMonitor() => _monitor = Task.Run(MonitorAsync);

    /// <summary>A submission could not reach the server: it is unhealthy until a probe says otherwise.</summary>
    public void MarkUnreachable(Exception error)
    {
        lock (_gate)
        {
            _httpSuspect = true;
        }

        SetHealth(PoolServerHealth.Unhealthy, error.Message);
        Wake();
    }

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private async Task MonitorAsync()
    {
        var stop = _stop.Token;
        var time = _pool.TimeProvider;
        while (!stop.IsCancellationRequested)
        {
            var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _wake, wake);
            TimeSpan wait;
            try
            {
                wait = await CheckAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Never let the watch die: note it and look again later.
                PoolLog.MonitorFailed(_pool.Logger, Name, ex.Message);
                wait = _pool.Options.ProbeMaxDelay;
            }

            try
            {
                await Task.WhenAny(wake.Task, Task.Delay(wait, time, stop)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One look at the server; returns how long until the next one (signals may come sooner).</summary>
    private async Task<TimeSpan> CheckAsync(CancellationToken stop)
    {
        var options = _pool.Options;
        bool socketUp, hasSocket, suspect;
        lock (_gate)
        {
            socketUp = _socketUp;
            hasSocket = _socket is not null;
            suspect = _httpSuspect;
        }

        if (!hasSocket && await TryOpenSocketAsync(stop).ConfigureAwait(false))
        {
            // The reader sets the health from the socket's first message.
            return Timeout.InfiniteTimeSpan;
        }

        if (socketUp && !suspect)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var failure = await ProbeAsync(stop).ConfigureAwait(false);
        if (failure is null)
        {
            lock (_gate)
            {
                _httpSuspect = false;
                _failedProbes = 0;
                socketUp = _socketUp;
            }

            SetHealth(socketUp ? PoolServerHealth.Healthy : PoolServerHealth.Degraded, null);
            if (!socketUp)
            {
                // No status messages without a socket: read the queue.
                try
                {
                    var status = await Client.Queue.GetStatusAsync(stop).ConfigureAwait(false);
                    OnQueueReport(status.ExecInfo?.QueueRemaining ?? 0);
                }
                catch (Exception ex) when (ex is ComfyUIException or HttpRequestException or IOException)
                {
                    PoolLog.MonitorFailed(_pool.Logger, Name, ex.Message);
                }
            }

            return socketUp ? Timeout.InfiniteTimeSpan : options.HealthCheckInterval;
        }

        SetHealth(PoolServerHealth.Unhealthy, failure);
        int failed;
        long since;
        lock (_gate)
        {
            failed = ++_failedProbes;
            since = _unhealthySince;
        }

        var delay = Backoff(failed);
        if (options.Delivery == PromptDelivery.AtLeastOnce && since != 0)
        {
            var down = _pool.TimeProvider.GetElapsedTime(since);
            if (down >= options.ResubmitAfter)
            {
                GiveUpRuns(down);
            }
            else if (options.ResubmitAfter - down < delay)
            {
                delay = options.ResubmitAfter - down;
            }
        }

        return delay;
    }

    private TimeSpan Backoff(int failedProbes)
    {
        var options = _pool.Options;
        var exponent = Math.Min(failedProbes - 1, 20);
        var ticks = Math.Min(options.ProbeBaseDelay.Ticks * (1L << exponent), options.ProbeMaxDelay.Ticks);

        // Jitter (75 % to 100 %), so that many pools do not probe a server that comes back all at once.
        return TimeSpan.FromTicks((long)(ticks * (0.75 + (Random.Shared.NextDouble() * 0.25))));
    }

    /// <summary>One <c>GET /system_stats</c> within <see cref="ComfyUIPoolOptions.ProbeTimeout"/>: <see langword="null"/> when it answered, else why not.</summary>
    private async Task<string?> ProbeAsync(CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_pool.Options.ProbeTimeout, _pool.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            await Client.Discovery.GetSystemStatsAsync(linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return $"GET /system_stats did not answer within {_pool.Options.ProbeTimeout}";
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            return ex.Message;
        }
    }

    private async Task<bool> TryOpenSocketAsync(CancellationToken stop)
    {
        ComfyWebSocket socket;
        try
        {
            socket = await Client.ConnectWebSocketAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            PoolLog.SocketFailed(_pool.Logger, Name, ex.Message);
            return false;
        }

        bool reopened;
        lock (_gate)
        {
            reopened = _health != PoolServerHealth.Unknown;
            _socket = socket;
        }

        _reader = ReadSocketAsync(socket, reopened, stop);
        return true;
    }

    /// <summary>Follows the socket: connection changes make the server healthy or send the watch probing; <c>status</c> gives the queue.</summary>
    private async Task ReadSocketAsync(ComfyWebSocket socket, bool reopened, CancellationToken stop)
    {
        await Task.Yield();
        try
        {
            await foreach (var message in socket.ReadAllAsync(stop).ConfigureAwait(false))
            {
                switch (message)
                {
                    case ConnectedMessage:
                        OnSocketUp(reconnected: reopened);
                        break;
                    case ReconnectedMessage:
                        OnSocketUp(reconnected: true);
                        break;
                    case DisconnectedMessage or ReconnectingMessage:
                        OnSocketDown();
                        break;
                    case StatusMessage status:
                        OnQueueReport(status.QueueRemaining);
                        break;
                }
            }
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            PoolLog.SocketFailed(_pool.Logger, Name, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        lock (_gate)
        {
            _socketUp = false;
            if (ReferenceEquals(_socket, socket))
            {
                _socket = null;
            }
        }

        await socket.DisposeAsync().ConfigureAwait(false);
        Wake();
    }

    private void OnSocketUp(bool reconnected)
    {
        PoolServerHealth before;
        lock (_gate)
        {
            _socketUp = true;
            before = _health;
        }

        SetHealth(PoolServerHealth.Healthy, null);
        if (reconnected && before != PoolServerHealth.Unhealthy)
        {
            // A reconnect may hide a restart (SetHealth checks a server that was unhealthy).
            StartRestartCheck("its WebSocket reconnected", refreshAlways: false);
        }

        Wake();
    }

    private void OnSocketDown()
    {
        lock (_gate)
        {
            _socketUp = false;
        }

        Wake();
    }

    private void SetHealth(PoolServerHealth health, string? error)
    {
        PoolServerHealth before;
        lock (_gate)
        {
            before = _health;
            _health = health;
            if (error is not null)
            {
                _lastError = error;
            }

            if (health == PoolServerHealth.Unhealthy)
            {
                if (before != PoolServerHealth.Unhealthy)
                {
                    _unhealthySince = _pool.TimeProvider.GetTimestamp();
                    _gaveUpRuns = false;
                }
            }
            else
            {
                _unhealthySince = 0;
            }
        }

        _firstVerdict.TrySetResult();
        if (before == health)
        {
            return;
        }

        if (health == PoolServerHealth.Unhealthy)
        {
            PoolLog.ServerDown(_pool.Logger, Name, error ?? "");
            _pool.Emit(this, PoolEventKind.Down, error);
        }
        else if (before is PoolServerHealth.Unknown or PoolServerHealth.Unhealthy)
        {
            PoolLog.ServerUp(_pool.Logger, Name);
            _pool.Emit(this, PoolEventKind.Up, health == PoolServerHealth.Degraded ? "its HTTP answers; its WebSocket is down" : null);
            if (before == PoolServerHealth.Unhealthy)
            {
                // Back after an outage: it probably restarted, and whatever was given up on it must not run there.
                StartRestartCheck("it answers again after an outage", refreshAlways: true);
            }
        }

        _pool.NotifyChanged();
    }

    private async Task StopMonitorAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _monitor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ComfyWebSocket? socket;
        lock (_gate)
        {
            socket = _socket;
            _socket = null;
        }

        if (socket is not null)
        {
            await socket.DisposeAsync().ConfigureAwait(false);
        }

        _firstVerdict.TrySetResult();
        _stop.Dispose();
    }
}
