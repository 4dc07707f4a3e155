namespace ComfyUI.Client;

/// <summary>
/// Drives one run of a pool: places the prompt on a server (through <see cref="ComfyUIPool.PlaceAsync"/>), submits it with that server's client
/// and relays the client's run to the run the caller holds. When the server is lost while it holds the prompt, the delivery policy decides:
/// at most once, the run ends as the client's run ended (lost); at least once, the prompt is placed again (same prompt id) once the server answered
/// without it, or once it stayed unreachable for <see cref="ComfyUIPoolOptions.ResubmitAfter"/> — then it is removed from that server when it answers.
/// </summary>
internal sealed class PoolRelay : IRunDriver
{
    private readonly ComfyUIPool _pool;
    private readonly Workflow _workflow;
    private readonly PromptOptions _options;
    private readonly string? _checkpoint;
    private readonly CancellationTokenSource _cancel;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private PromptRun _outer = null!;
    private PoolMember? _member;
    private PoolMember.Reservation? _reservation;
    private PromptRun? _inner;
    private bool _accepted;
    private double _counterMark = -1;
    private bool _numberNoted;
    private int _attempt;
    private string? _givenUp;
    private Task _follow = Task.CompletedTask;
    private int _disposed;

    private PoolRelay(ComfyUIPool pool, Workflow workflow, PromptOptions options, string? checkpoint, CancellationToken runToken)
    {
        _pool = pool;
        _workflow = workflow;
        _options = options;
        _checkpoint = checkpoint;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(runToken);
    }

    private string PromptId => _options.PromptId!;

    /// <summary>Places and submits the prompt; returns the run once a server queued it (as a client's <c>SubmitAsync</c> does).</summary>
    public static async Task<PromptRun> SubmitAsync(ComfyUIPool pool, Workflow workflow, PromptOptions options, string? checkpoint, CancellationToken runToken)
    {
        var relay = new PoolRelay(pool, workflow, options, checkpoint, runToken);
        var run = new PromptRun(
            options.PromptId!,
            outer =>
            {
                relay._outer = outer;
                return relay;
            },
            runToken);
        pool.Track(relay, run);
        try
        {
            await relay.PlaceAsync(previous: null, reason: null, relay._cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            pool.Untrack(relay);
            relay._cancel.Dispose();
            relay._stop.Dispose();
            if (ex is OperationCanceledException && runToken.IsCancellationRequested)
            {
                // The caller's own token, as a client's SubmitAsync throws it.
                throw new OperationCanceledException(ex.Message, ex, runToken);
            }

            throw;
        }

        relay._follow = Task.Run(relay.FollowAsync, CancellationToken.None);
        return run;
    }

    /// <summary>The prompt id, when the server <paramref name="member"/> accepted the prompt and still holds it (restart checks look for it there).</summary>
    public string? AcceptedPromptIdOn(PoolMember member)
    {
        lock (_gate)
        {
            return ReferenceEquals(_member, member) && _accepted && _inner is { IsCompleted: false } ? PromptId : null;
        }
    }

    /// <summary>The server restarted: the run checks the server now instead of at its next check.</summary>
    public void OnServerRestarted(PoolMember member)
    {
        PromptRun? inner;
        lock (_gate)
        {
            inner = ReferenceEquals(_member, member) ? _inner : null;
        }

        inner?.RequestReconcile("server-restarted");
    }

    /// <summary>
    /// At-least-once: the server stayed unreachable too long. Tracking on it stops (the run is placed elsewhere), and the server is told to remove the
    /// prompt when it answers again.
    /// </summary>
    public void GiveUp(PoolMember member, string reason)
    {
        PromptRun? inner;
        lock (_gate)
        {
            if (!ReferenceEquals(_member, member) || _inner is not { IsCompleted: false } || _givenUp is not null || _disposed != 0)
            {
                return;
            }

            _givenUp = reason;
            inner = _inner;
        }

        member.Abandon(PromptId);
        _ = inner.DisposeAsync().AsTask();
    }

    public void RequestCancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run has ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        PromptRun? inner;
        lock (_gate)
        {
            inner = _inner;
        }

        if (inner is not null)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }

        await _follow.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ReleaseCurrent();
        _pool.Untrack(this);
        _cancel.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Chooses a server and submits the prompt there; a server that cannot be reached (nothing was sent) or whose capabilities changed (it rejects a
    /// node class or a choice it was thought to have) is left out and another is chosen. Other rejections are the prompt's: they are thrown.
    /// </summary>
    private async Task PlaceAsync(PoolMember? previous, string? reason, CancellationToken cancellationToken)
    {
        var excluded = new Dictionary<PoolMember, PoolServerRejection>();
        while (true)
        {
            var attempt = Volatile.Read(ref _attempt) + 1;
            var (member, reservation) = await _pool.PlaceAsync(this, _workflow, _options, _checkpoint, attempt, previous, excluded, cancellationToken).ConfigureAwait(false);
            var mark = member.CounterMark();
            lock (_gate)
            {
                _member = member;
                _reservation = reservation;
                _accepted = false;
                _inner = null;
                _givenUp = null;
                _attempt = attempt;
                _counterMark = mark;
            }

            _outer.RelayPlaced(new PromptRoutedEvent { PromptId = PromptId, ServerName = member.Name, Server = member.Address, Attempt = attempt, Reason = reason }, member.Address);
            PoolLog.Placed(_pool.Logger, PromptId, member.Name, attempt);
            PromptRun inner;
            var inDoubt = false;
            try
            {
                inner = await member.Client.SubmitAsync(_workflow, _options, cancellationToken).ConfigureAwait(false);
            }
            catch (ComfyUIPromptFateUnknownException ex) when (_pool.Options.Delivery == PromptDelivery.AtLeastOnce)
            {
                // The server may have queued it: follow it there until it is found, known absent, or given up on (then it is placed again).
                member.MarkUnreachable(ex);
                inner = await member.Client.TrackAsync(PromptId, _options, cancellationToken).ConfigureAwait(false);
                inDoubt = true;
            }
            catch (ComfyUIConnectionException ex) when (ex is not ComfyUIPromptFateUnknownException && ex.RequestNeverSent)
            {
                // Nothing was sent: safe to place it elsewhere under either policy.
                member.Release(this, reservation);
                member.MarkUnreachable(ex);
                PoolLog.SubmitUnreachable(_pool.Logger, member.Name, PromptId, ex.Message);
                excluded[member] = Rejection(member, PoolRejectionKind.Unavailable, "it could not be reached: " + ex.Message, null);
                reason = $"{member.Name} could not be reached";
                continue;
            }
            catch (ComfyUIPromptValidationException ex) when (CapabilityRejection(ex) is { } kind)
            {
                // It lacks what it was thought to have (a model removed, a node uninstalled): read its capabilities again and choose again.
                member.Release(this, reservation);
                _ = member.RefreshCapabilities();
                excluded[member] = Rejection(member, kind, "it rejected the prompt: " + ex.Message, ex.ValidationError);
                reason = $"{member.Name} rejected it ({ex.ErrorType})";
                continue;
            }
            catch
            {
                member.Release(this, reservation);
                throw;
            }

            if (!inDoubt)
            {
                member.Submitted(reservation);
            }

            // The POST's answer numbered it: compared with the counter now, before the run can end (its events are relayed later).
            var number = inDoubt || _options.Number is not null ? null : inner.QueuedNumber();
            if (number is { } numbered)
            {
                member.NoteNumber(numbered, mark);
            }

            lock (_gate)
            {
                _inner = inner;
                _accepted = !inDoubt;
                _numberNoted = number is not null;
            }

            return;
        }
    }

    private static PoolServerRejection Rejection(PoolMember member, PoolRejectionKind kind, string reason, ComfyError? error) =>
        new() { ServerName = member.Name, Server = member.Address, Kind = kind, Reason = reason, ValidationError = error };

    private static PoolRejectionKind? CapabilityRejection(ComfyUIPromptValidationException ex)
    {
        if (ex.ErrorType == "missing_node_type")
        {
            return PoolRejectionKind.MissingNodeType;
        }

        return ex.NodeErrors.Values.Any(node => node.Errors.Any(error => error.Type == "value_not_in_list")) ? PoolRejectionKind.ValueNotInList : null;
    }

    /// <summary>Relays the current server's run until it ends, then ends the pool's run or places the prompt again.</summary>
    private async Task FollowAsync()
    {
        var stop = _stop.Token;
        while (true)
        {
            PromptRun inner;
            PoolMember member;
            double mark;
            bool numbered;
            lock (_gate)
            {
                inner = _inner!;
                member = _member!;
                mark = _counterMark;
                numbered = _numberNoted;
            }

            try
            {
                await foreach (var runEvent in inner.ReadEventsAsync(stop).ConfigureAwait(false))
                {
                    if (runEvent is PromptFinishedEvent)
                    {
                        break;
                    }

                    if (runEvent is PromptQueuedEvent { Number: { } number } && !numbered && _options.Number is null)
                    {
                        numbered = true;
                        member.NoteNumber(number, mark);
                    }

                    _outer.Relay(runEvent);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            var result = await inner.Completion.ConfigureAwait(false);
            await inner.DisposeAsync().ConfigureAwait(false);
            ReleaseCurrent();
            if (stop.IsCancellationRequested)
            {
                return;
            }

            var (again, note) = ShouldPlaceAgain(result, member);
            if (again is null)
            {
                End(note is null ? result : WithReason(result, $"{result.Reason} ({note})"));
                return;
            }

            PoolLog.Resubmitting(_pool.Logger, PromptId, again);
            try
            {
                await PlaceAsync(member, again, _cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                End(new PromptResult { PromptId = PromptId, Status = PromptStatus.Cancelled, Reason = $"cancelled before it was submitted again ({again})" });
                return;
            }
            catch (Exception ex)
            {
                End(WithReason(result, $"{again}, and it could not be submitted again: {ex.Message}"));
                return;
            }
        }
    }

    /// <summary>Whether the lost prompt is placed again (with why), or why not when the policy would have but could not.</summary>
    private (string? Again, string? Note) ShouldPlaceAgain(PromptResult result, PoolMember member)
    {
        if (_pool.Options.Delivery != PromptDelivery.AtLeastOnce || result.Status != PromptStatus.Lost || _cancel.IsCancellationRequested)
        {
            return (null, null);
        }

        string? givenUp;
        int attempt;
        lock (_gate)
        {
            givenUp = _givenUp;
            attempt = _attempt;
        }

        var why = result.Loss switch
        {
            RunLoss.Absent => $"{member.Name} answered without the prompt (it restarted): {result.Reason}",
            RunLoss.Unreachable => $"{member.Name} could not be reached: {result.Reason}",
            RunLoss.TrackingStopped when givenUp is not null => givenUp,
            _ => null,
        };
        if (why is null)
        {
            return (null, null);
        }

        return attempt >= _pool.Options.MaxAttempts
            ? (null, $"not submitted again: it was placed {attempt} times, ComfyUIPoolOptions.MaxAttempts")
            : (why, null);
    }

    private static PromptResult WithReason(PromptResult result, string reason) => new()
    {
        PromptId = result.PromptId,
        Status = result.Status,
        Outputs = result.Outputs,
        Error = result.Error,
        Reason = reason,
        CachedNodes = result.CachedNodes,
        History = result.History,
        SavedFiles = result.SavedFiles,
        Server = result.Server,
        Loss = result.Loss,
    };

    private void End(PromptResult result)
    {
        _outer.Finish(result);
        _pool.Untrack(this);
        try
        {
            // Unhooks the caller's token; a late CancelAsync finds the run ended.
            _cancel.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReleaseCurrent()
    {
        PoolMember? member;
        PoolMember.Reservation? reservation;
        lock (_gate)
        {
            member = _member;
            reservation = _reservation;
            _reservation = null;
        }

        if (member is not null && reservation is not null)
        {
            member.Release(this, reservation);
        }
    }
}
