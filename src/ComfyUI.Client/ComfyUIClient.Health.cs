using System.Net.Sockets;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

public partial class ComfyUIClient
{
    private static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the server is up: it answers <c>GET /api/prompt</c> with its queue status JSON within 10 seconds (or
    /// <see cref="ComfyUIClientOptions.RequestTimeout"/> when shorter). Never throws for a server that is down, slow, failing or not ComfyUI.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check (then it throws <see cref="OperationCanceledException"/>).</param>
    /// <returns><see langword="true"/> when the server answered as ComfyUI does; <see langword="false"/> for a refused connection,
    /// a timeout, an error status or an answer that is not the queue status JSON.</returns>
    public virtual async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default) =>
        await ProbeAsync(MaxProbeTime, cancellationToken).ConfigureAwait(false) is null;

    /// <summary>
    /// Waits until the server answers (see <see cref="IsHealthyAsync"/>), for example after starting it: probes, then probes again after a
    /// short delay that grows from 50 ms to 1 s, until the server is ready or <paramref name="timeout"/> has passed (it gives up
    /// early when the next probe would start after the deadline). Each probe takes at most 10 seconds and never runs past the deadline.
    /// </summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the server is ready.</returns>
    /// <exception cref="ComfyUITimeoutException">The server was not ready in time; the message names its address and the last failure.</exception>
    public virtual async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var clock = Pipeline.TimeProvider;
        var start = clock.GetTimestamp();
        var delay = FirstRetryDelay;
        var attempts = 0;
        while (true)
        {
            var remaining = timeout - clock.GetElapsedTime(start);
            var failure = await ProbeAsync(remaining < MaxProbeTime ? remaining : MaxProbeTime, cancellationToken).ConfigureAwait(false);
            attempts++;
            if (failure is null)
            {
                return;
            }

            // Give up when the next probe would start at or after the deadline, so the last failure is a real answer, not a cut-off probe.
            remaining = timeout - clock.GetElapsedTime(start);
            if (remaining <= delay)
            {
                throw new ComfyUITimeoutException(
                    $"The ComfyUI server at {BaseAddress} was not ready within {timeout} ({attempts} attempts). Last failure: {failure.Message}",
                    timeout,
                    failure);
            }

            await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>One health probe: <see langword="null"/> when healthy, otherwise the failure (never thrown, except caller cancellation).</summary>
    private async Task<Exception?> ProbeAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var probeTimeout = new CallTimeout(limit > TimeSpan.Zero ? limit : TimeSpan.FromMilliseconds(1), Pipeline.TimeProvider, cancellationToken);
        try
        {
            var status = await Pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "prompt"), ComfyJsonContext.Default.QueueStatus, probeTimeout.Token)
                .ConfigureAwait(false);
            return status.ExecInfo is null
                ? new ComfyUIProtocolException("The answer of GET /api/prompt has no exec_info.")
                : null;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new TimeoutException($"GET /api/prompt did not answer within {limit}.", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or ComfyUIException or IOException or SocketException)
        {
            return ex;
        }
    }
}
