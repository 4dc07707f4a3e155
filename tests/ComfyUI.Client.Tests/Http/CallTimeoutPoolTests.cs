using ComfyUI.Client.Http;
using Microsoft.Extensions.Time.Testing;

namespace ComfyUI.Client.Tests.Http;

/// <summary>
/// Per-call timeouts reused from the pipeline's pool still time out, follow only their own caller, and are reused only when safe. (The runtime
/// can reset a token source's timer only on the system clock: on any other clock a timeout is never reused, which the last test pins down.)
/// </summary>
public sealed class CallTimeoutPoolTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public void A_returned_timeout_is_reused_and_follows_only_its_new_callers_token()
    {
        var pool = new CallTimeoutPool();
        using var oldCaller = new CancellationTokenSource();
        using var newCaller = new CancellationTokenSource();
        var first = pool.Rent(Long, TimeProvider.System, oldCaller.Token);
        first.Dispose();
        var second = pool.Rent(Long, TimeProvider.System, newCaller.Token);
        Assert.Same(first, second);

        oldCaller.Cancel();
        Assert.False(second.IsCancellationRequested);
        newCaller.Cancel();
        Assert.True(second.IsCancellationRequested);
        Assert.False(second.TimedOut);

        // Cancelled: never handed to another call.
        second.Dispose();
        Assert.NotSame(second, pool.Rent(Long, TimeProvider.System, CancellationToken.None));
    }

    [Fact]
    public async Task A_reused_timeout_still_times_out_and_one_that_fired_is_not_reused()
    {
        var pool = new CallTimeoutPool();
        var limit = TimeSpan.FromSeconds(1);
        var first = pool.Rent(limit, TimeProvider.System, CancellationToken.None);
        first.Dispose();
        var second = pool.Rent(limit, TimeProvider.System, CancellationToken.None);
        Assert.Same(first, second);

        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (second.Token.Register(() => fired.TrySetResult()))
        {
            await fired.Task.WaitAsync(Waits.Deadline, TestContext.Current.CancellationToken);
        }

        Assert.True(second.TimedOut);
        second.Dispose();
        Assert.NotSame(second, pool.Rent(limit, TimeProvider.System, CancellationToken.None));
    }

    [Fact]
    public void A_timeout_made_for_another_limit_is_not_reused()
    {
        var pool = new CallTimeoutPool();
        var first = pool.Rent(Long, TimeProvider.System, CancellationToken.None);
        first.Dispose();
        Assert.NotSame(first, pool.Rent(Long * 2, TimeProvider.System, CancellationToken.None));
    }

    [Fact]
    public void On_a_test_clock_timeouts_are_not_reused_and_time_out_exactly()
    {
        var time = new FakeTimeProvider();
        var pool = new CallTimeoutPool();
        var first = pool.Rent(Long, time, CancellationToken.None);
        first.Dispose();
        var second = pool.Rent(Long, time, CancellationToken.None);
        Assert.NotSame(first, second);

        time.Advance(Long - TimeSpan.FromTicks(1));
        Assert.False(second.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(second.TimedOut);
    }
}
