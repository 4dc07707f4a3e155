namespace ComfyUI.Client.HealthChecks;

/// <summary>
/// The one wait for a starting server shared by every run of a readiness registration: started by the first check, joined by the later ones, so
/// probes never pile up however often the check is called.
/// </summary>
internal sealed class ReadinessGate
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private Task<Exception?>? _waiting;
    private long _waitingSince;
    private volatile bool _ready;

    public ReadinessGate(TimeProvider time) => _time = time;

    /// <summary>Whether the server has answered since the last time it was found gone.</summary>
    public bool IsReady => _ready;

    /// <summary>How long the current wait has been going on.</summary>
    public TimeSpan WaitingFor => _time.GetElapsedTime(Interlocked.Read(ref _waitingSince));

    /// <summary>The current wait (a new one when there is none, or the last one gave up): completes with <see langword="null"/> once ready, or the failure.</summary>
    public Task<Exception?> WaitAsync(ComfyUIClient client, TimeSpan startupTimeout)
    {
        lock (_gate)
        {
            if (_waiting is null || (_waiting.IsCompleted && (_waiting.Result is not null || !_ready)))
            {
                Interlocked.Exchange(ref _waitingSince, _time.GetTimestamp());
                _waiting = WaitCoreAsync(client, startupTimeout);
            }

            return _waiting;
        }
    }

    /// <summary>The server stopped answering: the next check waits for it again.</summary>
    public void Reset() => _ready = false;

    private async Task<Exception?> WaitCoreAsync(ComfyUIClient client, TimeSpan startupTimeout)
    {
        try
        {
            // Not tied to one check's token: the wait outlives the check that started it (bounded by the startup timeout).
            await client.WaitUntilReadyAsync(startupTimeout, CancellationToken.None).ConfigureAwait(false);
            _ready = true;
            return null;
        }
        catch (ComfyUITimeoutException ex)
        {
            return ex;
        }
    }
}
