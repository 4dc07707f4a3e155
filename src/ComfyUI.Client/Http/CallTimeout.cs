namespace ComfyUI.Client.Http;

/// <summary>
/// The token of one HTTP call: cancelled by the caller's token or after <see cref="ComfyUIClientOptions.RequestTimeout"/> on the client's clock
/// (one timer per call, none when the timeout is infinite).
/// </summary>
internal sealed class CallTimeout : CancellationTokenSource
{
    private readonly CancellationTokenRegistration _link;

    public CallTimeout(TimeSpan timeout, TimeProvider time, CancellationToken caller)
        : base(timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout, time)
    {
        Caller = caller;
        if (caller.CanBeCanceled)
        {
            _link = caller.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), this);
        }
    }

    /// <summary>The caller's own token.</summary>
    public CancellationToken Caller { get; }

    /// <summary>Whether the call ran out of time (and the caller did not cancel).</summary>
    public bool TimedOut => IsCancellationRequested && !Caller.IsCancellationRequested;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _link.Dispose();
        }

        base.Dispose(disposing);
    }
}
