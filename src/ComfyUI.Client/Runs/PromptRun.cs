using System.Diagnostics;
using ComfyUI.Client.Diagnostics;

namespace ComfyUI.Client;

/// <summary>
/// One submitted prompt, queued and tracked until it ends in exactly one terminal state: succeeded, failed, interrupted,
/// cancelled or lost. It never waits forever on an event that will not come: the server's HTTP state (queue and history) is
/// the source of truth, checked after every reconnect, when the socket is silent, by polling when there is no socket, and at the end.
/// </summary>
/// <remarks>
/// Get one from <see cref="ComfyUIClient.SubmitAsync(Workflow, PromptOptions?, CancellationToken)"/> (or, in tests of code that takes runs,
/// <see cref="FromResult"/>). Thread-safe. Cancelling the token given to <c>SubmitAsync</c> cancels this prompt on the server (and only this
/// prompt); the tokens of <see cref="WaitAsync"/> and <see cref="ReadEventsAsync"/> only stop waiting.
/// </remarks>
public sealed partial class PromptRun : IAsyncDisposable
{
    private readonly RunHub? _hub;
    private readonly RunReconciler? _reconciler;
    private readonly IRunDriver? _driver;
    private readonly RunTelemetry? _telemetry;
    private readonly CancellationToken _runToken;
    private readonly object _gate = new();
    private readonly RunEventStream _events = new();
    private readonly TaskCompletionSource<PromptResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PromptStatus _status = PromptStatus.Submitting;
    private double? _number;
    private bool _ending;
    private CancellationTokenRegistration _runTokenRegistration;
    private Uri? _server;

    internal PromptRun(ComfyUIClient client, RunHub hub, string promptId, PromptOptions options, CancellationToken runToken, RunTelemetry? telemetry = null)
    {
        _hub = hub;
        _telemetry = telemetry;
        PromptId = promptId;
        _runToken = runToken;
        _server = client.BaseAddress;
        _reconciler = new RunReconciler(this, client, hub, options);
        _driver = _reconciler;
    }

    private PromptRun(PromptResult result)
    {
        PromptId = result.PromptId;
        _status = result.Status;
        _server = result.Server;
        _ending = true;
        _events.Emit(new PromptQueuedEvent { PromptId = PromptId });
        _events.Complete(new PromptFinishedEvent { PromptId = PromptId, Result = result });
        _completion.SetResult(result);
    }

    /// <summary>The prompt id (made by the client before submission).</summary>
    public string PromptId { get; }

    /// <summary>The current state. Terminal states never change again.</summary>
    public PromptStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// The base address of the server the prompt is queued or running on. For a run of a <see cref="ComfyUIPool"/> this is the server the pool
    /// placed it on, and it changes when the pool submits the prompt again elsewhere (<see cref="PromptDelivery.AtLeastOnce"/>);
    /// <see cref="PromptResult.Server"/> names the server that produced the result.
    /// </summary>
    public Uri? Server => Volatile.Read(ref _server);

    /// <summary>Whether the run has ended.</summary>
    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>
    /// Completes with the result when the run ends, whatever the outcome (it never faults; check <see cref="PromptResult.Status"/>).
    /// </summary>
    public Task<PromptResult> Completion => _completion.Task;

    /// <summary>
    /// Creates a run that has already ended with <paramref name="result"/>, tracking nothing: a test double for code that takes runs from
    /// <see cref="ComfyUIClient.SubmitAsync(Workflow, PromptOptions?, CancellationToken)"/> (mock that virtual method to return it). Its
    /// events are a <see cref="PromptQueuedEvent"/> and the <see cref="PromptFinishedEvent"/>; <see cref="WaitAsync"/> behaves as for a real run.
    /// </summary>
    /// <param name="result">The outcome, for example <c>new PromptResult { PromptId = "p1", Status = PromptStatus.Succeeded, Outputs = … }</c>.</param>
    /// <returns>The completed run.</returns>
    public static PromptRun FromResult(PromptResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status is PromptStatus.Submitting or PromptStatus.Queued or PromptStatus.Running)
        {
            throw new ArgumentException($"A completed run needs a terminal status, not {result.Status}.", nameof(result));
        }

        return new PromptRun(result);
    }

    /// <summary>
    /// Waits for the run to end and returns its result when it succeeded.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the run goes on).</param>
    /// <returns>The result of the successful run, outputs included.</returns>
    /// <exception cref="ComfyUIExecutionException">The run failed at a node, was interrupted by someone else, or was lost.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled through its own token or <see cref="CancelAsync"/>, or <paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PromptResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        var result = await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            PromptStatus.Succeeded => result,
            PromptStatus.Cancelled => throw new OperationCanceledException($"Prompt {PromptId} was cancelled.", innerException: null, _runToken.IsCancellationRequested ? _runToken : new CancellationToken(true)),
            _ => throw new ComfyUIExecutionException(result),
        };
    }

    /// <summary>
    /// Streams the run's events: those that already happened (live previews excepted), then the new ones as they come, ending with
    /// <see cref="PromptFinishedEvent"/>. Each call gets its own stream; previews are dropped for a reader that falls far behind.
    /// </summary>
    /// <param name="cancellationToken">Stops reading (the run goes on).</param>
    /// <returns>The events, in order.</returns>
    public IAsyncEnumerable<PromptEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => _events.ReadAsync(cancellationToken);

    /// <summary>
    /// Cancels this prompt on the server, and only this one: removes it from the queue when pending, interrupts it (by prompt id) when
    /// running. The run then ends as <see cref="PromptStatus.Cancelled"/> — unless it had already finished.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the cancellation to take effect.</param>
    /// <returns>The result once the run has ended.</returns>
    public async Task<PromptResult> CancelAsync(CancellationToken cancellationToken = default)
    {
        if (!_completion.Task.IsCompleted)
        {
            RequestCancel();
        }

        return await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops tracking (the prompt is not cancelled: use <see cref="CancelAsync"/> for that) and releases resources.</summary>
    /// <returns>A task that completes when tracking stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _runTokenRegistration.DisposeAsync().ConfigureAwait(false);
        if (!_completion.Task.IsCompleted)
        {
            Finish(new PromptResult { PromptId = PromptId, Status = PromptStatus.Lost, Reason = "Tracking was stopped (the run was disposed) before the prompt ended.", Loss = RunLoss.TrackingStopped }, notify: false);
        }

        if (_driver is not null)
        {
            await _driver.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts following the run once <c>POST /prompt</c> accepted it.</summary>
    internal void Start(double? number)
    {
        MarkQueued(number, position: null, fromServer: false);
        _reconciler!.Start();
        WatchRunToken();
    }

    private void WatchRunToken()
    {
        if (_runToken.CanBeCanceled)
        {
            _runTokenRegistration = _runToken.UnsafeRegister(static state => ((PromptRun)state!).OnRunTokenCancelled(), this);
        }
    }

    private void OnRunTokenCancelled()
    {
        if (!_completion.Task.IsCompleted)
        {
            RequestCancel();
        }
    }

    private void RequestCancel()
    {
        _telemetry?.CancelRequested();
        _driver?.RequestCancel();
    }

    /// <summary>Asks for a check of the server's state (the hub: after the socket dropped, came back or ended).</summary>
    internal void RequestReconcile(string reason)
    {
        _telemetry?.SocketChanged(reason);
        _reconciler?.RequestReconcile(reason);
    }

    /// <summary>What the run records while someone listens (<see langword="null"/> otherwise).</summary>
    internal RunTelemetry? Telemetry => _telemetry;

    /// <summary>The run's span while it is traced (its checks run under it, so their HTTP calls are its children).</summary>
    internal Activity? Activity => _telemetry?.Activity;

    /// <summary>The next time the run needs a check (for the hub's scheduler).</summary>
    internal long NextDue() => _reconciler?.NextDue() ?? long.MaxValue;

    /// <summary>The run's reconcile loop (tests look at it).</summary>
    internal RunReconciler? Reconciler => _reconciler;

    /// <summary>The scheduler found the run due for a check.</summary>
    internal void OnDue() => _reconciler?.OnDue();

    /// <summary>Handles a WebSocket message the hub routed to this run (its prompt id, or unattributed frames while it executes).</summary>
    internal void OnMessage(ComfyMessage message)
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        var reconciler = _reconciler!;
        reconciler.NoteActivity();
        var update = RunMessageMapper.Map(PromptId, message);
        if (update.Running || update.Event is not null)
        {
            lock (_gate)
            {
                if (_ending)
                {
                    return;
                }

                if (update.Running)
                {
                    MarkRunningLocked();
                }

                if (update.Event is { } runEvent)
                {
                    _events.Emit(runEvent);
                }
            }
        }

        _telemetry?.Message(message);
        if (update.Outcome is { } outcome)
        {
            reconciler.NoteOutcome(outcome, update.OutcomeIfNone, update.HistoryWritten);
        }
    }

    // ---- Lifecycle: every change of a run's state happens in the methods below (the seam for tracing and metrics). ----

    /// <summary>The run is queued: accepted by <c>POST /prompt</c>, or seen pending in the server's queue.</summary>
    internal void MarkQueued(double? number, int? position, bool fromServer)
    {
        lock (_gate)
        {
            // Kept even when the run is already past queued (an instant prompt's events can come before the POST's answer).
            _number ??= number;
            if (_status == PromptStatus.Submitting)
            {
                _status = PromptStatus.Queued;
                _events.Emit(new PromptQueuedEvent { PromptId = PromptId, Number = number, Position = position });
                _telemetry?.Queued(number, position);
            }
            else if (fromServer && _status == PromptStatus.Queued)
            {
                _events.Emit(new PromptQueuedEvent { PromptId = PromptId, Number = number, Position = position });
                _telemetry?.Queued(number, position);
            }
        }
    }

    /// <summary>A reconcile saw the prompt in the server's queue (running or pending).</summary>
    internal void MarkSeen(PromptStatus status, int? position, string reason)
    {
        lock (_gate)
        {
            if (_ending)
            {
                return;
            }

            if (status == PromptStatus.Running)
            {
                MarkRunningLocked();
            }

            _events.Emit(new PromptReconciledEvent { PromptId = PromptId, Reason = reason, Status = status });
            _telemetry?.Reconciled(reason, StatusNames.Of(status));
            if (status == PromptStatus.Queued)
            {
                _events.Emit(new PromptQueuedEvent { PromptId = PromptId, Position = position });
                _telemetry?.Queued(null, position);
            }
        }
    }

    /// <summary>A check found the prompt in the server's history (<paramref name="found"/> = <c>history</c>) or nowhere (<c>absent</c>).</summary>
    internal void MarkChecked(string reason, string found) => _telemetry?.Reconciled(reason, found);

    private void MarkRunningLocked()
    {
        if (_status == PromptStatus.Submitting)
        {
            // The prompt started before the POST answered: it was queued all the same, and readers see that first.
            _status = PromptStatus.Queued;
            _events.Emit(new PromptQueuedEvent { PromptId = PromptId });
            _telemetry?.Queued(null, null);
        }

        if (_status == PromptStatus.Queued)
        {
            _status = PromptStatus.Running;
            _telemetry?.Running();
        }
    }

    /// <summary>A result built from what the run saw over the WebSocket, for when the server's history cannot say.</summary>
    internal PromptResult LocalResult(PromptStatus status, string reason, PromptError? error = null, RunLoss loss = RunLoss.None)
    {
        var outputs = new Dictionary<string, NodeOutput>(StringComparer.Ordinal);
        foreach (var output in _events.Past<PromptNodeOutputEvent>())
        {
            outputs[output.NodeId] = output.Output;
        }

        return new PromptResult { PromptId = PromptId, Status = status, Error = error, Reason = reason, Outputs = outputs, CachedNodes = CachedNodesSeen(), Loss = loss };
    }

    /// <summary>The cached nodes the WebSocket reported.</summary>
    /// <summary>The number the server gave the prompt (from the <c>POST /prompt</c> answer or a queue check), once known.</summary>
    internal double? QueuedNumber()
    {
        lock (_gate)
        {
            return _number;
        }
    }

    internal IReadOnlyList<string> CachedNodesSeen() => _events.Past<PromptNodesCachedEvent>().SelectMany(cached => cached.NodeIds).ToArray();

    /// <summary>Ends the run with its one terminal result (later calls do nothing).</summary>
    internal void Finish(PromptResult result, bool notify = true)
    {
        lock (_gate)
        {
            if (_ending)
            {
                return;
            }

            if (Volatile.Read(ref _server) is { } server)
            {
                result.StampServer(server);
            }

            _ending = true;
            _status = result.Status;
        }

        _hub?.Unregister(this);
        if (_hub is not null)
        {
            // Logged inside the run's span (when traced): the record carries its trace and span ids. (Both names are constants: nothing is built.)
            var status = StatusNames.Of(result.Status);
            var errorType = StatusNames.ErrorType(result);
            using (ActivityScope.Enter(_telemetry?.Activity))
            {
                RunLog.Finished(_hub.Logger, PromptId, status, errorType);
            }
        }

        // Before the run completes: whoever awaits it finds its span ended and its metrics recorded.
        _telemetry?.Finished(result);
        lock (_gate)
        {
            _events.Complete(notify ? new PromptFinishedEvent { PromptId = PromptId, Result = result } : null);
            _completion.TrySetResult(result);
        }
    }
}
