namespace ComfyUI.Client;

/// <summary>
/// One timer for all the runs of a hub: it fires at the earliest time any run needs a check (silence, polling, a retry), lets the hub look
/// at every run, and is armed again for the next one. Events never touch the timer: a run whose last event moved its check later is simply
/// found not due yet and the timer is armed for its new time. Times are <see cref="TimeProvider.GetTimestamp"/> values of the hub's clock.
/// </summary>
internal sealed class RunScheduler : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Func<long, long> _onDue;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    /// <param name="time">The clock.</param>
    /// <param name="onDue">Called with "now" when the timer fires; checks every run and returns the earliest next due time (<see cref="long.MaxValue"/> for none).</param>
    public RunScheduler(TimeProvider time, Func<long, long> onDue)
    {
        _time = time;
        _onDue = onDue;
        // The timer is shared by every run of the hub: it must not carry the context (span, log scopes) of whoever happened to create it.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static state => ((RunScheduler)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The clock's timestamp <paramref name="after"/> from now.</summary>
    public long After(TimeSpan after) => _time.GetTimestamp() + ToTicks(after);

    /// <summary>Converts a duration to the clock's timestamp ticks.</summary>
    public long ToTicks(TimeSpan duration) => (long)(duration.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    /// <summary>Makes sure the timer fires no later than <paramref name="due"/>.</summary>
    public void Request(long due)
    {
        lock (_gate)
        {
            if (_disposed || due >= _armedFor)
            {
                return;
            }

            Arm(due);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _armedFor = long.MaxValue;
        }

        _timer.Dispose();
    }

    private void Fire()
    {
        lock (_gate)
        {
            _armedFor = long.MaxValue;
        }

        var next = _onDue(_time.GetTimestamp());
        if (next != long.MaxValue)
        {
            Request(next);
        }
    }

    private void Arm(long due)
    {
        _armedFor = due;
        var wait = _time.GetElapsedTime(_time.GetTimestamp(), due);
        _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
