using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// The frame watchdog (used where keep-alive pings cannot detect a dead peer, i.e. .NET 8): when no frame arrived for the idle timeout, it
/// asks the server over HTTP whether it is alive (<paramref name="probe"/>). ComfyUI sends nothing while idle, so an answer counts as life
/// and the socket is kept; no answer fires the watchdog (<paramref name="onDead"/>), and the socket reconnects. Time spent waiting for slow
/// subscribers (<see cref="Pause"/>) does not count as silence.
/// </summary>
internal sealed class IdleWatchdog(TimeProvider time, TimeSpan idle, Func<CancellationToken, Task<bool>> probe, Action onDead)
{
    private long _lastLife = time.GetTimestamp();
    private volatile bool _paused;

    /// <summary>Whether the watchdog found the connection dead.</summary>
    public bool Fired { get; private set; }

    /// <summary>Stops counting silence (the receive loop is busy handing out messages).</summary>
    public void Pause() => _paused = true;

    /// <summary>Counts silence again from now.</summary>
    public void Resume()
    {
        Interlocked.Exchange(ref _lastLife, time.GetTimestamp());
        _paused = false;
    }

    /// <summary>Watches until cancelled or fired.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var silentFor = time.GetElapsedTime(Interlocked.Read(ref _lastLife));
            if (_paused || silentFor < idle)
            {
                await Task.Delay(_paused ? idle : idle - silentFor, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await probe(cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref _lastLife, time.GetTimestamp());
                continue;
            }

            Fired = true;
            onDead();
            return;
        }
    }

    /// <summary>
    /// One liveness probe: <paramref name="probe"/> (an HTTP call) within <paramref name="timeout"/>. Returns whether the server answered;
    /// <see langword="true"/> when there is no probe. Throws only for <paramref name="cancellationToken"/>.
    /// </summary>
    public static async Task<bool> ProbeAsync(
        Func<CancellationToken, Task>? probe, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (probe is null)
        {
            return true;
        }

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await probe(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is ComfyUIException or HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            WebSocketLog.ProbeFailed(logger, ex);
            return false;
        }
    }
}
