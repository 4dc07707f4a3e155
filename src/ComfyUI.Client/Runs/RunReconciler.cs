using System.Diagnostics;

namespace ComfyUI.Client;

/// <summary>
/// The reconcile loop of one run: decides when the server's HTTP state must be read and reads it — the outcome from <c>/history/{id}</c> once the
/// WebSocket reported one, the queue and history after a reconnect, after <see cref="PromptTrackingOptions.SilenceReconcileInterval"/> of silence
/// (measured from the last event or check), by polling without a socket, and until the prompt is found or declared lost — and sends this run's
/// cancel. It runs only when there is something to do: signalled by events and requests, or by the hub's one shared timer (<see cref="RunScheduler"/>),
/// never by a timer or loop of its own. One step at a time.
/// </summary>
internal sealed class RunReconciler : IRunDriver, IThreadPoolWorkItem
{
    /// <summary>How long the outcome waits for the server's "history written" signal before reading the history anyway.</summary>
    private static readonly TimeSpan HistoryWriteGrace = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FirstHistoryRetry = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxHistoryRetry = TimeSpan.FromSeconds(1);

    private readonly PromptRun _run;
    private readonly ComfyUIClient _client;
    private readonly RunHub _hub;
    private readonly PromptOptions _options;
    private readonly PromptTrackingOptions _timing;
    private readonly RunScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopToken;
    private RunOutcome? _outcome;
    private bool _historyWritten;
    private bool _graceUsed;
    private string? _reconcileReason;
    private bool _cancelRequested;
    private bool _cancelSent;
    private bool _due;
    private long _absentSince;
    private long _unreachableSince;
    private long _outcomeDeadline;
    private long _retryAt;
    private TimeSpan _retryDelay = FirstHistoryRetry;
    private long _lastActivity;
    private int _dueCount;
    private int _pumping;
    private int _signaled;
    private int _disposed;
    private Task _steps = Task.CompletedTask;

    public RunReconciler(PromptRun run, ComfyUIClient client, RunHub hub, PromptOptions options)
    {
        _run = run;
        _client = client;
        _hub = hub;
        _options = options;
        _timing = client.Pipeline.Options.Tracking;
        _scheduler = hub.Scheduler;
        _time = hub.TimeProvider;
        _lastActivity = _time.GetTimestamp();
        _stopToken = _stop.Token; // read once: the steps may start after the source is disposed (they then stop at once)
    }

    private string PromptId => _run.PromptId;

    /// <summary>Starts the time-based checks.</summary>
    public void Start()
    {
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        _scheduler.Request(NextDue());
    }

    /// <summary>An event of the run arrived: silence is measured from now.</summary>
    public void NoteActivity() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>The WebSocket reported how the run ended.</summary>
    public void NoteOutcome(RunOutcome outcome, bool ifNone, bool historyWritten)
    {
        lock (_gate)
        {
            if (!ifNone || _outcome is null)
            {
                _outcome = outcome with { Status = outcome.Status == PromptStatus.Interrupted && _cancelRequested ? PromptStatus.Cancelled : outcome.Status };
            }

            if (historyWritten)
            {
                _historyWritten = true;
                _retryAt = 0;
            }
            else if (_historyWritten)
            {
                return;
            }
            else if (!_graceUsed)
            {
                // ComfyUI sends the outcome before it writes the history entry, and "executing" with no node right after writing it: wait briefly
                // for that one, so that the history is read once instead of missed and retried.
                _graceUsed = true;
                _retryAt = _scheduler.After(HistoryWriteGrace);
                _scheduler.Request(_retryAt);
                return;
            }
        }

        Signal();
    }

    public void RequestReconcile(string reason)
    {
        lock (_gate)
        {
            _reconcileReason ??= reason;
        }

        Signal();
    }

    public void RequestCancel()
    {
        lock (_gate)
        {
            if (_cancelRequested)
            {
                return;
            }

            _cancelRequested = true;
        }

        Signal();
    }

    /// <summary>When the run next needs a time-based check: a retry, or one interval after the last event or check.</summary>
    public long NextDue()
    {
        if (_run.IsCompleted)
        {
            return long.MaxValue;
        }

        lock (_gate)
        {
            if (_retryAt != 0)
            {
                return _retryAt;
            }

            if (_outcome is not null)
            {
                return long.MaxValue;
            }

            var inDoubt = _absentSince != 0 || _unreachableSince != 0;
            var interval = _hub.IsSocketHealthy && !inDoubt ? _timing.SilenceReconcileInterval : _timing.PollInterval;
            return Volatile.Read(ref _lastActivity) + _scheduler.ToTicks(interval);
        }
    }

    /// <summary>How many times the shared timer found the run due for a check (tests).</summary>
    public int DueCount => Volatile.Read(ref _dueCount);

    /// <summary>Called after each step (tests await checks with it).</summary>
    public Action? Stepped { get; set; }

    /// <summary>The scheduler found the run due.</summary>
    public void OnDue()
    {
        Interlocked.Increment(ref _dueCount);
        lock (_gate)
        {
            _due = true;
        }

        Signal();
    }

    /// <summary>Stops the checks and waits for a step in flight (once: a run may be disposed more than once).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _steps.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>
    /// Runs the steps (one at a time) until nothing is left to do, on the thread pool (never inline on the socket's receive loop); the reconciler
    /// is its own work item, so that a signal allocates nothing.
    /// </summary>
    private void Signal()
    {
        Volatile.Write(ref _signaled, 1);
        if (Interlocked.CompareExchange(ref _pumping, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _steps = StepsAsync();

    private async Task StepsAsync()
    {
        var stop = _stopToken;
        // The checks belong to the run: under its span (when traced) their HTTP calls and downloads are its children, and never under
        // whatever span the signal came from (this work item may run with the context of a socket loop, a timer or a caller).
        var span = _run.Activity;
        if (!ReferenceEquals(Activity.Current, span))
        {
            Activity.Current = span;
        }

        while (!_run.IsCompleted && !stop.IsCancellationRequested)
        {
            Volatile.Write(ref _signaled, 0);
            try
            {
                await StepAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Whatever the transport throws (a connection failure, a bare SocketException from a connection cut mid-request,
                // timeouts, unreadable answers), the run keeps checking until it can decide: it never dies with its loop.
                NoteUnreachable(ex);
            }

            if (!_run.IsCompleted && !stop.IsCancellationRequested)
            {
                _scheduler.Request(NextDue());
            }

            Stepped?.Invoke();
            if (Volatile.Read(ref _signaled) == 0)
            {
                Volatile.Write(ref _pumping, 0);
                if (Volatile.Read(ref _signaled) == 0 || Interlocked.CompareExchange(ref _pumping, 1, 0) != 0)
                {
                    break;
                }
            }
        }
    }

    private async Task StepAsync(CancellationToken stop)
    {
        RunOutcome? outcome;
        bool cancel;
        string? requested;
        bool due;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            outcome = _outcome;
            cancel = _cancelRequested && !_cancelSent;
            requested = _reconcileReason;
            _reconcileReason = null;
            due = _due;
            _due = false;
            if (outcome is not null && _retryAt != 0 && now < _retryAt)
            {
                // Waiting for the history to be written (or for the next read of it).
                return;
            }
        }

        if (cancel)
        {
            await SendCancelAsync(stop).ConfigureAwait(false);
            requested ??= "cancel";
        }

        if (outcome is { } reported)
        {
            await ReadOutcomeAsync(reported, now, stop).ConfigureAwait(false);
            return;
        }

        if (requested is null && !(due && now >= NextDue()))
        {
            // Event-driven: a socket that spoke recently needs no HTTP check.
            return;
        }

        await ReconcileAsync(requested ?? (_hub.IsSocketHealthy ? "silence" : "poll"), stop).ConfigureAwait(false);

        // The next check is one interval after this one was due (not after its HTTP calls ended), unless an event came since.
        AdvanceLastActivity(now);
    }

    private void AdvanceLastActivity(long at)
    {
        var last = Volatile.Read(ref _lastActivity);
        while (at > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastActivity, at, last);
            if (seen == last)
            {
                return;
            }

            last = seen;
        }
    }

    private async Task SendCancelAsync(CancellationToken stop)
    {
        RunLog.Cancelling(_hub.Logger, PromptId);
        // Only this prompt: remove it if pending, interrupt it by id if running (a no-op for any other running prompt).
        await _client.Queue.DeleteAsync([PromptId], stop).ConfigureAwait(false);
        await _client.Queue.InterruptAsync(PromptId, stop).ConfigureAwait(false);
        lock (_gate)
        {
            _cancelSent = true;
        }
    }

    /// <summary>Reads the outcome the WebSocket reported from history (retrying while the server writes it) and ends the run.</summary>
    private async Task ReadOutcomeAsync(RunOutcome reported, long now, CancellationToken stop)
    {
        lock (_gate)
        {
            if (_outcomeDeadline == 0)
            {
                _outcomeDeadline = now + _scheduler.ToTicks(_timing.LostAfter);
            }
        }

        HistoryEntry? entry;
        try
        {
            entry = await _client.History.GetAsync(PromptId, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested && _time.GetTimestamp() >= _outcomeDeadline)
        {
            _run.Finish(FromOutcome(reported, $"the outcome came over the WebSocket but the history could not be read: {ex.Message}"));
            return;
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            RunLog.ReconcileFailed(_hub.Logger, PromptId, ex.Message);
            entry = null;
        }

        if (entry is not null)
        {
            await FinishFromHistoryAsync(entry, reported, stop).ConfigureAwait(false);
            return;
        }

        now = _time.GetTimestamp();
        if (now >= _outcomeDeadline)
        {
            _run.Finish(FromOutcome(reported, "the outcome came over the WebSocket, but the server kept no history entry for it"));
            return;
        }

        lock (_gate)
        {
            _retryAt = now + _scheduler.ToTicks(_retryDelay);
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, MaxHistoryRetry.Ticks));
        }
    }

    private PromptResult FromOutcome(RunOutcome outcome, string note) => _run.LocalResult(outcome.Status, outcome.Reason ?? note, outcome.Error);

    private async Task ReconcileAsync(string reason, CancellationToken stop)
    {
        var entry = await _client.History.GetAsync(PromptId, stop).ConfigureAwait(false);
        if (entry is not null)
        {
            _run.MarkChecked(reason, "history");
            await FinishFromHistoryAsync(entry, null, stop).ConfigureAwait(false);
            return;
        }

        var (seen, position) = (await _client.Queue.GetQueueAsync(stop).ConfigureAwait(false)).Locate(PromptId);

        if (seen is null)
        {
            // It may have finished between the two reads: the server moves a prompt from the queue to history atomically.
            entry = await _client.History.GetAsync(PromptId, stop).ConfigureAwait(false);
            if (entry is not null)
            {
                _run.MarkChecked(reason, "history");
                await FinishFromHistoryAsync(entry, null, stop).ConfigureAwait(false);
                return;
            }

            _run.MarkChecked(reason, "absent");
        }

        var now = _time.GetTimestamp();
        bool cancelSent;
        lock (_gate)
        {
            _unreachableSince = 0;
            cancelSent = _cancelSent;
            if (seen is not null)
            {
                _absentSince = 0;
            }
            else if (_absentSince == 0)
            {
                _absentSince = now;
            }
        }

        if (seen is { } status)
        {
            _run.MarkSeen(status, position, reason);
            return;
        }

        if (cancelSent)
        {
            // Removed from the queue by our own cancel before it started: nothing else will come.
            _run.Finish(new PromptResult { PromptId = PromptId, Status = PromptStatus.Cancelled, Reason = "removed from the queue before it started", CachedNodes = _run.CachedNodesSeen() });
            return;
        }

        if (now - _absentSince >= _scheduler.ToTicks(_timing.LostAfter))
        {
            _run.Finish(_run.LocalResult(PromptStatus.Lost,
                $"the server has the prompt neither in its queue nor in its history (checked for {_timing.LostAfter}); it probably restarted", loss: RunLoss.Absent));
        }
    }

    private void NoteUnreachable(Exception ex)
    {
        if (_run.IsCompleted)
        {
            return;
        }

        var now = _time.GetTimestamp();
        long since;
        lock (_gate)
        {
            if (_unreachableSince == 0)
            {
                _unreachableSince = now;
            }

            since = _unreachableSince;
        }

        Volatile.Write(ref _lastActivity, now);
        RunLog.ReconcileFailed(_hub.Logger, PromptId, ex.Message);
        if (now - since >= _scheduler.ToTicks(_timing.UnreachableAfter))
        {
            _run.Finish(_run.LocalResult(PromptStatus.Lost, $"the server could not be reached for {_timing.UnreachableAfter} (last error: {ex.Message})", loss: RunLoss.Unreachable));
        }
    }

    private async Task FinishFromHistoryAsync(HistoryEntry entry, RunOutcome? reported, CancellationToken stop)
    {
        bool cancelRequested;
        lock (_gate)
        {
            cancelRequested = _cancelRequested;
        }

        var result = HistoryInterpreter.Interpret(PromptId, entry, reported, cancelRequested, _run);
        if (result.Status == PromptStatus.Succeeded && _options.DownloadOutputsTo is { } folder)
        {
            result = new PromptResult
            {
                PromptId = result.PromptId,
                Status = result.Status,
                Outputs = result.Outputs,
                History = result.History,
                CachedNodes = result.CachedNodes,
                SavedFiles = await OutputDownloader.DownloadAsync(_client.Files, entry, folder, stop).ConfigureAwait(false),
            };
        }

        _run.Finish(result);
    }
}
