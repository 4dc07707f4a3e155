using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ComfyUI.Client.Tests.Runs;

/// <summary>
/// The run tracker's time-based checks, on a fake clock: each check happens exactly when it is due — silence measured from the last event,
/// lost after <see cref="PromptTrackingOptions.LostAfter"/>, unreachable after <see cref="PromptTrackingOptions.UnreachableAfter"/> — not later.
/// The shared timer fires inside <see cref="FakeTimeProvider.Advance"/>, so "not due yet" is checked at once, without waiting.
/// </summary>
public sealed class RunTimingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Workflow SaveWorkflow() => Workflow.Parse("""{"2": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x"}}}""");

    /// <summary>Signals every completed step of a run's reconcile loop.</summary>
    private static ChannelReader<bool> Steps(PromptRun run)
    {
        var steps = Channel.CreateUnbounded<bool>();
        run.Reconciler!.Stepped = () => steps.Writer.TryWrite(true);
        return steps.Reader;
    }

    private static async Task<T> NextAsync<T>(PromptRun run)
        where T : PromptEvent
    {
        await foreach (var e in run.ReadEventsAsync(Ct).WithCancellation(Ct))
        {
            if (e is T match)
            {
                return match;
            }
        }

        throw new InvalidOperationException($"The run ended without a {typeof(T).Name}.");
    }

    [Fact]
    public async Task A_silent_socket_is_reconciled_one_interval_after_the_last_event_not_later()
    {
        var time = new FakeTimeProvider();
        var interval = new PromptTrackingOptions().SilenceReconcileInterval;
        Assert.Equal(TimeSpan.FromSeconds(10), interval);
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient(o => o.Tracking.SilenceReconcileInterval = interval, time);
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var reconciler = run.Reconciler!;

        // The last event comes 4 s after the submission; then the socket stays open and silent while the server finishes.
        time.Advance(TimeSpan.FromSeconds(4));
        await server.SendAsync("runs-test", $$$"""{"type": "execution_start", "data": {"prompt_id": "{{{run.PromptId}}}", "timestamp": 1}}""");
        await NextAsync<PromptStartedEvent>(run).WaitAsync(Waits.Deadline, Ct);
        server.Running.Clear();
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId, "silent.png");

        time.Advance(interval - TimeSpan.FromSeconds(4));
        Assert.Equal(0, reconciler.DueCount); // one interval after the submission, but only 6 s after the last event
        time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromTicks(1));
        Assert.Equal(0, reconciler.DueCount);
        Assert.False(server.HistoryReads.ContainsKey(run.PromptId));

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, reconciler.DueCount);
        var result = await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal("silent.png", Assert.Single(result.Images).Filename);
        Assert.Equal(1, server.HistoryReads[run.PromptId]);
    }

    [Fact]
    public async Task A_run_still_running_in_silence_is_checked_again_every_interval()
    {
        var time = new FakeTimeProvider();
        var interval = TimeSpan.FromSeconds(10);
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient(o => o.Tracking.SilenceReconcileInterval = interval, time);
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var steps = Steps(run);

        for (var check = 1; check <= 3; check++)
        {
            time.Advance(interval - TimeSpan.FromTicks(1));
            Assert.Equal(check - 1, run.Reconciler!.DueCount);
            while (steps.TryRead(out _))
            {
                // Steps are sequential: after this, the first step to finish with the history read is the check's own.
            }

            time.Advance(TimeSpan.FromTicks(1));
            Assert.Equal(check, run.Reconciler.DueCount);

            // Wait for the check's step to finish (not only for its request to reach the server): it arms the next check.
            do
            {
                await steps.ReadAsync(Ct).AsTask().WaitAsync(Waits.Deadline, Ct);
            }
            while (server.HistoryReads.GetValueOrDefault(run.PromptId) < check);
        }

        Assert.False(run.IsCompleted);
        Assert.Equal(PromptStatus.Running, run.Status);
    }

    [Fact]
    public async Task A_prompt_the_server_forgot_is_lost_at_the_first_poll_after_LostAfter()
    {
        var time = new FakeTimeProvider();
        await using var server = await ScriptedComfyServer.StartAsync();
        server.RefuseUpgrades = 403; // no socket: the run polls every PollInterval
        server.AcceptPrompts();
        await using var client = server.CreateClient(o =>
        {
            o.Tracking.PollInterval = TimeSpan.FromSeconds(1);
            o.Tracking.LostAfter = TimeSpan.FromSeconds(5);
        }, time);
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var steps = Steps(run);

        // The first poll finds the prompt running; then the server restarts and forgets it.
        time.Advance(TimeSpan.FromSeconds(1));
        await steps.ReadAsync(Ct).AsTask().WaitAsync(Waits.Deadline, Ct);
        server.Running.Clear();
        for (var second = 2; second <= 6; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await steps.ReadAsync(Ct).AsTask().WaitAsync(Waits.Deadline, Ct);
            Assert.False(run.IsCompleted, $"lost too early, at {second} s (absent since 2 s)");
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var result = await run.Completion.WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(PromptStatus.Lost, result.Status);
        Assert.Contains("neither in its queue nor in its history", result.Reason);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_ends_the_run_as_lost_after_UnreachableAfter()
    {
        var time = new FakeTimeProvider();
        await using var server = await ScriptedComfyServer.StartAsync();
        server.RefuseUpgrades = 403;
        server.AcceptPrompts();
        await using var client = server.CreateClient(o =>
        {
            o.Tracking.PollInterval = TimeSpan.FromSeconds(1);
            o.Tracking.UnreachableAfter = TimeSpan.FromSeconds(3);
        }, time);
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        var steps = Steps(run);
        server.DropHistoryReads = true;

        for (var second = 1; second <= 3; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await steps.ReadAsync(Ct).AsTask().WaitAsync(Waits.Deadline, Ct);
            Assert.False(run.IsCompleted, $"lost too early, at {second} s (unreachable since 1 s)");
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var result = await run.Completion.WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(PromptStatus.Lost, result.Status);
        Assert.Contains("could not be reached for 00:00:03", result.Reason);
    }

    [Fact]
    public async Task The_outcome_waits_a_quarter_second_for_the_history_written_signal_then_reads_the_history()
    {
        var time = new FakeTimeProvider();
        await using var server = await ScriptedComfyServer.StartAsync();
        server.AcceptPrompts();
        await using var client = server.CreateClient(time: time);
        var run = await client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct);
        server.History[run.PromptId] = ScriptedComfyServer.SuccessEntry(run.PromptId);

        // execution_success arrives, the final "executing" (history written) does not.
        await server.SendAsync("runs-test", $$$"""{"type": "execution_success", "data": {"prompt_id": "{{{run.PromptId}}}", "timestamp": 2}}""");
        await server.SendAsync("runs-test", $$$"""{"type": "progress", "data": {"value": 1, "max": 1, "prompt_id": "{{{run.PromptId}}}", "node": "2"}}""");
        await NextAsync<PromptProgressEvent>(run).WaitAsync(Waits.Deadline, Ct); // dispatched in order: the outcome was seen
        var due = run.Reconciler!.DueCount;
        time.Advance(TimeSpan.FromMilliseconds(250) - TimeSpan.FromTicks(1));
        Assert.False(server.HistoryReads.ContainsKey(run.PromptId));
        time.Advance(TimeSpan.FromTicks(1));
        var result = await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.Equal(due + 1, run.Reconciler.DueCount);
    }
}
