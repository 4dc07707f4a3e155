using ComfyUI.Client.Http;
using Microsoft.Extensions.Time.Testing;

namespace ComfyUI.Client.Tests.Http;

/// <summary>Per-call timeouts reused from the pipeline's pool still time out on the client's clock, follow only their own caller, and are reused only when safe.</summary>
public sealed class CallTimeoutPoolTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_reused_timeout_times_out_a_full_limit_after_its_new_call_started()
    {
        var time = new FakeTimeProvider();
        var pool = new CallTimeoutPool();
        var first = pool.Rent(Limit, time, CancellationToken.None);
        first.Dispose();

        time.Advance(TimeSpan.FromSeconds(3));
        var second = pool.Rent(Limit, time, CancellationToken.None);
        Assert.Same(first, second);
        Assert.False(second.IsCancellationRequested);

        time.Advance(Limit - TimeSpan.FromTicks(1));
        Assert.False(second.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(second.TimedOut);
    }

    [Fact]
    public void A_reused_timeout_follows_only_its_new_callers_token()
    {
        var time = new FakeTimeProvider();
        var pool = new CallTimeoutPool();
        using var oldCaller = new CancellationTokenSource();
        using var newCaller = new CancellationTokenSource();
        var first = pool.Rent(Limit, time, oldCaller.Token);
        first.Dispose();
        var second = pool.Rent(Limit, time, newCaller.Token);
        Assert.Same(first, second);

        oldCaller.Cancel();
        Assert.False(second.IsCancellationRequested);
        newCaller.Cancel();
        Assert.True(second.IsCancellationRequested);
        Assert.False(second.TimedOut);
    }

    [Fact]
    public void A_timeout_that_fired_was_cancelled_or_came_close_to_its_deadline_is_not_reused()
    {
        var time = new FakeTimeProvider();
        var pool = new CallTimeoutPool();

        var fired = pool.Rent(Limit, time, CancellationToken.None);
        time.Advance(Limit);
        fired.Dispose();
        Assert.NotSame(fired, pool.Rent(Limit, time, CancellationToken.None));

        using var caller = new CancellationTokenSource();
        var cancelled = pool.Rent(Limit, time, caller.Token);
        caller.Cancel();
        cancelled.Dispose();
        Assert.NotSame(cancelled, pool.Rent(Limit, time, CancellationToken.None));

        // Past half its limit, its timer could be on its way when it is handed to the next call: it is disposed instead.
        var late = pool.Rent(Limit, time, CancellationToken.None);
        time.Advance(Limit / 2);
        late.Dispose();
        var next = pool.Rent(Limit, time, CancellationToken.None);
        Assert.NotSame(late, next);
        time.Advance(Limit);
        Assert.True(next.TimedOut);
    }

    [Fact]
    public void A_timeout_made_for_another_clock_or_limit_is_not_reused()
    {
        var time = new FakeTimeProvider();
        var pool = new CallTimeoutPool();
        var first = pool.Rent(Limit, time, CancellationToken.None);
        first.Dispose();
        Assert.NotSame(first, pool.Rent(Limit * 2, time, CancellationToken.None));

        var second = pool.Rent(Limit, time, CancellationToken.None);
        second.Dispose();
        var otherClock = new FakeTimeProvider();
        var third = pool.Rent(Limit, otherClock, CancellationToken.None);
        Assert.NotSame(second, third);
        otherClock.Advance(Limit);
        Assert.True(third.TimedOut);
    }
}
