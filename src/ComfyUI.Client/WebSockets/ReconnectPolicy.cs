namespace ComfyUI.Client.WebSockets;

/// <summary>
/// When to try again after the socket dropped: the first attempt at once after a connection that was stable (or idle-timed-out), later
/// when the socket keeps flapping; then bounded exponential backoff with jitter, and a slow fixed delay after a refused upgrade
/// (401/403/404), which a fast retry cannot fix. No reconnect storms.
/// </summary>
internal sealed class ReconnectPolicy(ComfyWebSocketOptions options)
{
    private int _flaps;

    /// <summary>Whether the socket reconnects at all.</summary>
    public bool Enabled => options.AutoReconnect && options.MaxReconnectAttempts != 0;

    /// <summary>The wait before the first attempt after a drop of a connection that lasted <paramref name="stableFor"/>.</summary>
    public TimeSpan FirstDelay(bool idleTimeout, TimeSpan stableFor)
    {
        _flaps = idleTimeout || stableFor >= options.ReconnectMaxDelay ? 0 : _flaps + 1;
        return _flaps == 0 ? TimeSpan.Zero : Exponential(_flaps);
    }

    /// <summary>The wait before the attempt after <paramref name="failedAttempt"/> failed with <paramref name="error"/>; <see langword="null"/> to give up.</summary>
    public TimeSpan? NextDelay(int failedAttempt, Exception error)
    {
        if (options.MaxReconnectAttempts is { } max && failedAttempt >= max)
        {
            return null;
        }

        if (error is ComfyUIWebSocketException { IsRefused: true })
        {
            return options.RefusedRetryDelay;
        }

        // "Equal jitter": between half and all of the exponential delay, never above the maximum.
        var delay = Exponential(failedAttempt);
#pragma warning disable CA5394 // Jitter, not security.
        return delay / 2 + delay / 2 * Random.Shared.NextDouble();
#pragma warning restore CA5394
    }

    private TimeSpan Exponential(int attempt) =>
        TimeSpan.FromTicks(Math.Min(options.ReconnectMaxDelay.Ticks, options.ReconnectBaseDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
}
