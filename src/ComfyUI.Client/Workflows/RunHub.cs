using System.Collections.Concurrent;
using ComfyUI.Client.Internal;

namespace ComfyUI.Client;

/// <summary>
/// Routes one WebSocket's messages to the tracked runs of a client id. All runs of a client share it, so one socket serves any number of
/// concurrent runs, each seeing only its own events. Frames that carry no prompt id (legacy previews, progress text, the reconnect
/// replay of <c>executing</c>) go to the run that is executing: ComfyUI executes one prompt at a time.
/// </summary>
internal sealed class RunHub : IAsyncDisposable
{
    private long _reconnects;

    private readonly ConcurrentDictionary<string, PromptRun> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ComfyWebSocket? _socket;
    private volatile bool _socketEnded;
    private volatile bool _healthy;
    private volatile string? _executingPromptId;
    private DateTimeOffset _nextConnectAttempt = DateTimeOffset.MinValue;

    public RunHub(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    public TimeProvider TimeProvider { get; }

    /// <summary>Whether the socket is connected now (runs then follow events; otherwise they poll).</summary>
    public bool IsSocketHealthy => _healthy;

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

            if (_socket is not null && !_socketEnded)
            {
                // A socket exists and is reconnecting by itself: do not open a second one under the same client id.
                return false;
            }

            if (TimeProvider.GetUtcNow() < _nextConnectAttempt)
            {
                return false;
            }

            if (_socket is not null)
            {
                await _socket.DisposeAsync().ConfigureAwait(false);
                _socket = null;
            }

            try
            {
                var socket = await client.ConnectWebSocketAsync(cancellationToken).ConfigureAwait(false);
                _socket = socket;
                _socketEnded = false;
                _healthy = true;
                // The hub owns this socket: messages are dispatched inline on its receive loop (no channel, no pump task, nothing buffered unread).
                socket.UseObserver(Dispatch);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.RunSocketUnavailable(client.Pipeline.Logger, ex.Message);
                _nextConnectAttempt = TimeProvider.GetUtcNow() + client.Pipeline.Options.Tracking.PollInterval;
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

    private void Dispatch(ComfyMessage message)
    {
        switch (message)
        {
            case ClosedMessage:
                // The socket gave up (retries exhausted or refused) or was disposed: runs fall back to polling.
                _healthy = false;
                _socketEnded = true;
                foreach (var run in _runs.Values)
                {
                    run.RequestReconcile("socket-closed");
                }

                return;
            case ReconnectedMessage:
            case ConnectedMessage:
                if (message is ReconnectedMessage)
                {
                    Interlocked.Increment(ref _reconnects);
                }

                _healthy = true;
                // Events sent while the socket was away are lost: ask every run to check the server.
                foreach (var run in _runs.Values)
                {
                    run.RequestReconcile("reconnected");
                }

                return;
            case ReconnectingMessage:
            case DisconnectedMessage:
                _healthy = false;
                foreach (var run in _runs.Values)
                {
                    run.RequestReconcile("disconnected");
                }

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

    public async ValueTask DisposeAsync()
    {
        if (_socket is not null)
        {
            await _socket.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var run in _runs.Values)
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }
}
