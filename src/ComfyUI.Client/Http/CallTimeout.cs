namespace ComfyUI.Client.Http;

/// <summary>
/// The token of one HTTP call: cancelled by the caller's token or after <see cref="ComfyUIClientOptions.RequestTimeout"/> on the client's clock
/// (one timer per call, none when the timeout is infinite). The pipeline rents them from a <see cref="CallTimeoutPool"/>: disposing a rented one
/// gives it back for the next call (its timer and registration list reused) when that is safe, and disposes it otherwise.
/// </summary>
internal sealed class CallTimeout : CancellationTokenSource
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private CallTimeoutPool? _pool;
    private CancellationTokenRegistration _link;
    private long _started;

    public CallTimeout(TimeSpan timeout, TimeProvider time, CancellationToken caller)
        : this(timeout, time, pool: null, caller)
    {
    }

    internal CallTimeout(TimeSpan timeout, TimeProvider time, CallTimeoutPool? pool, CancellationToken caller)
        : base(timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout, time)
    {
        _time = time;
        _timeout = timeout;
        _pool = pool;
        Start(caller);
    }

    /// <summary>The caller's own token.</summary>
    public CancellationToken Caller { get; private set; }

    /// <summary>Whether the call ran out of time (and the caller did not cancel).</summary>
    public bool TimedOut => IsCancellationRequested && !Caller.IsCancellationRequested;

    /// <summary>The clock of its timer.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Its timeout.</summary>
    internal TimeSpan Duration => _timeout;

    /// <summary>Starts a reused instance for another call: its timer again from now, linked to this call's token.</summary>
    internal void Restart(CancellationToken caller)
    {
        // Safe here: only instances made with a finite timeout are reused, so the timer CancelAfter changes is the client clock's own.
#pragma warning disable RS0030
        CancelAfter(_timeout);
#pragma warning restore RS0030
        Start(caller);
    }

    /// <summary>
    /// Makes it ready for another call, or returns <see langword="false"/> when it cannot be reused: cancelled (by its timer or the caller), or
    /// ended so close to its deadline that its timer callback could still be on its way (it must never cancel a later call).
    /// </summary>
    internal bool TryResetForReuse()
    {
        _link.Dispose();
        _link = default;
        Caller = default;
        return _time.GetElapsedTime(_started) < _timeout / 2 && TryReset();
    }

    /// <summary>Disposes it for good (not given back to a pool).</summary>
    internal void Discard()
    {
        _pool = null;
        Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _pool is { } pool && pool.TryReturn(this))
        {
            return;
        }

        if (disposing)
        {
            _link.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Start(CancellationToken caller)
    {
        _started = _time.GetTimestamp();
        Caller = caller;
        if (caller.CanBeCanceled)
        {
            _link = caller.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), this);
        }
    }
}

/// <summary>
/// A few <see cref="CallTimeout"/>s of one pipeline kept for reuse, so that a call does not create a token source, a timer and a registration
/// list each (every tracked prompt makes two calls). Lock-free: a slot holds an idle instance or nothing.
/// </summary>
internal sealed class CallTimeoutPool
{
    private readonly CallTimeout?[] _idle = new CallTimeout?[8];

    /// <summary>A timeout for one call: a reused one when one is idle (and made for the same clock and timeout), else a new one.</summary>
    public CallTimeout Rent(TimeSpan timeout, TimeProvider time, CancellationToken caller)
    {
        if (timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            for (var i = 0; i < _idle.Length; i++)
            {
                if (Volatile.Read(ref _idle[i]) is not null && Interlocked.Exchange(ref _idle[i], null) is { } idle)
                {
                    if (idle.Duration == timeout && ReferenceEquals(idle.Time, time))
                    {
                        idle.Restart(caller);
                        return idle;
                    }

                    idle.Discard();
                }
            }
        }

        return new CallTimeout(timeout, time, timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : this, caller);
    }

    /// <summary>Takes back a timeout whose call ended; <see langword="false"/> when it cannot be reused (the caller then disposes it).</summary>
    public bool TryReturn(CallTimeout timeout)
    {
        if (!timeout.TryResetForReuse())
        {
            return false;
        }

        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], timeout, null) is null)
            {
                return true;
            }
        }

        return false;
    }
}
