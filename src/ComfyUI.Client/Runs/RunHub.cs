using System.Collections.Concurrent;
using ComfyUI.Client.WebSockets;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client;

/// <summary>
/// Routes the client id's WebSocket messages to its tracked runs and times their checks. All runs of a client share it: one socket (the
/// client id's one socket in this process, leased from <see cref="SocketRegistry"/> and shared with <c>ConnectWebSocketAsync</c> handles)
/// serves any number of concurrent runs, each seeing only its own events, and one timer (<see cref="RunScheduler"/>) serves all their checks.
/// Frames that carry no prompt id (legacy previews, progress text, the reconnect replay of <c>executing</c>) go to the run that is executing:
/// ComfyUI executes one prompt at a time.
/// </summary>
internal sealed class RunHub : IAsyncDisposable, IDisposable
{
    /// <summary>The check reason when the socket dropped (runs may miss events until it is back).</summary>
    public const string Disconnected = "disconnected";

    /// <summary>The check reason when the socket came back.</summary>
    public const string Reconnected = "reconnected";

    /// <summary>The check reason when the socket ended for good (runs poll).</summary>
    public const string SocketClosed = "socket-closed";
    private long _reconnects;

    private readonly ConcurrentDictionary<string, PromptRun> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly Action<ComfyMessage> _dispatch;
    private SocketLease? _lease;
    private volatile bool _socketEnded;
    private volatile bool _healthy;
    private volatile string? _executingPromptId;
    private long _nextConnectAttempt;
    private int _disposed;

    public RunHub(TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Scheduler = new RunScheduler(TimeProvider, CheckRuns);
        _dispatch = Dispatch;
    }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>The one timer of all the hub's runs.</summary>
    public RunScheduler Scheduler { get; }

    /// <summary>Whether the socket is connected now (runs then follow events; otherwise they poll).</summary>
    public bool IsSocketHealthy => _healthy;

    /// <summary>The state of the runs' socket, or <see langword="null"/> when none was opened yet (or it could not be opened).</summary>
    public ComfyWebSocketState? SocketState => _lease?.Connection.State;

    /// <summary>How many runs are being tracked.</summary>
    public int ActiveRuns => _runs.Count;

    /// <summary>How many times the socket reconnected (the server may have restarted each time).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>
    /// Makes sure the socket is connected before a prompt is submitted. Returns <see langword="false"/> when it cannot be opened
    /// (runs then poll); never throws except for caller cancellation.
    /// </summary>
    public async Task<bool> EnsureConnectedAsync(ComfyUIClient client, CancellationToken cancellationToken)
    {
        if (_healthy)
        {
            return true;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_healthy)
            {
                return true;
            }

            if (_lease is not null && !_socketEnded)
            {
                // The socket exists and is reconnecting by itself: never a second one under the same client id.
                return false;
            }

            if (TimeProvider.GetTimestamp() < Volatile.Read(ref _nextConnectAttempt))
            {
                return false;
            }

            if (_lease is { } old)
            {
                old.Connection.FanOut.RemoveObserver(_dispatch);
                _lease = null;
                await old.ReleaseAsync().ConfigureAwait(false);
            }

            try
            {
                var lease = await client.AcquireSocketAsync(cancellationToken).ConfigureAwait(false);
                var connection = lease.Connection;
                _socketEnded = false;
                _lease = lease;
                // Messages are dispatched inline on the socket's receive loop: no channel, no pump task, nothing buffered unread.
                if (!connection.FanOut.AddObserver(_dispatch))
                {
                    _socketEnded = true;
                    return false;
                }

                _healthy = connection.State == ComfyWebSocketState.Connected;
                connection.StartPump();
                return _healthy;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                RunLog.SocketUnavailable(Logger, ex.Message);
                Volatile.Write(ref _nextConnectAttempt, Scheduler.After(client.Pipeline.Options.Tracking.PollInterval));
                return false;
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public void Register(PromptRun run) => _runs[run.PromptId] = run;

    public void Unregister(PromptRun run)
    {
        _runs.TryRemove(new KeyValuePair<string, PromptRun>(run.PromptId, run));
        if (_executingPromptId == run.PromptId)
        {
            _executingPromptId = null;
        }
    }

    /// <summary>The shared timer fired: hands the due runs their check and returns when the next one is due.</summary>
    private long CheckRuns(long now)
    {
        var next = long.MaxValue;
        foreach (var run in _runs.Values)
        {
            var due = run.NextDue();
            if (due <= now)
            {
                run.OnDue();
            }
            else if (due < next)
            {
                next = due;
            }
        }

        return next;
    }

    private void Dispatch(ComfyMessage message)
    {
        switch (message)
        {
            case ClosedMessage:
                // The socket gave up (retries exhausted or refused) or was closed: runs fall back to polling.
                _healthy = false;
                _socketEnded = true;
                RequestReconcileAll(SocketClosed);
                return;
            case ReconnectedMessage:
            case ConnectedMessage:
                if (message is ReconnectedMessage)
                {
                    Interlocked.Increment(ref _reconnects);
                }

                _healthy = true;
                // Events sent while the socket was away are lost: ask every run to check the server.
                RequestReconcileAll(Reconnected);
                return;
            case ReconnectingMessage:
            case DisconnectedMessage:
                _healthy = false;
                RequestReconcileAll(Disconnected);
                return;
        }

        var promptId = message.PromptId;
        switch (message)
        {
            case ExecutionStartMessage start:
                _executingPromptId = start.PromptId;
                break;
            case ExecutingMessage { Node: null } done when done.PromptId == _executingPromptId:
                _executingPromptId = null;
                break;
        }

        promptId ??= message switch
        {
            PreviewImageMessage or ProgressTextMessage or ExecutingMessage => _executingPromptId,
            _ => null,
        };

        if (promptId is not null && _runs.TryGetValue(promptId, out var target))
        {
            target.OnMessage(message);
        }

        if (message is ExecutionSuccessMessage or ExecutionErrorMessage { IsExecutionBlocked: false } or ExecutionInterruptedMessage
            && message.PromptId == _executingPromptId)
        {
            _executingPromptId = null;
        }
    }

    private void RequestReconcileAll(string reason)
    {
        foreach (var run in _runs.Values)
        {
            run.RequestReconcile(reason);
        }
    }

    /// <summary>Disposes synchronously (a container disposed with <c>Dispose</c>): closing the socket is bounded.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_lease is { } lease)
        {
            lease.Connection.FanOut.RemoveObserver(_dispatch);
            await lease.ReleaseAsync().ConfigureAwait(false);
        }

        foreach (var run in _runs.Values)
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }

        Scheduler.Dispose();
        _connectLock.Dispose();
    }
}
