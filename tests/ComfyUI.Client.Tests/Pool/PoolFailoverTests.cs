using ComfyUI.Client.Testing;
using ComfyUI.Client.Tests.Faults;
using ComfyUI.Client.Tests.Runs;
using static ComfyUI.Client.Tests.Pool.PoolTestKit;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>
/// Servers that die, restart or vanish from the network while they hold prompts: what each delivery policy promises, checked on the servers'
/// side (which prompt ids each one began to execute).
/// </summary>
public sealed class PoolFailoverTests
{
    /// <summary>Places the next prompt on server a: b drains until the prompt is queued on a.</summary>
    private static async Task<PromptRun> SubmitOnAAsync(ComfyUIPool pool, Workflow workflow)
    {
        await pool.DrainServerAsync("b", Ct).WaitAsync(Waits.Deadline, Ct);
        try
        {
            return await pool.SubmitAsync(workflow, cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        }
        finally
        {
            pool.ResumeServer("b");
        }
    }

    private static async Task<List<PromptEvent>> EventsAsync(PromptRun run)
    {
        var events = new List<PromptEvent>();
        await foreach (var e in run.ReadEventsAsync(Ct).WithCancellation(Ct))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task At_most_once_a_prompt_whose_server_restarts_mid_run_ends_lost_and_runs_nowhere_else()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(a, b));
        await using var events = new PoolEventLog(pool);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        var run = await SubmitOnAAsync(pool, Slow(0, seed: 1));
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        await a.Faults.RestartAsync(cancellationToken: Ct);
        var result = await run.Completion.WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(PromptStatus.Lost, result.Status);
        Assert.Equal(a.BaseAddress, result.Server);
        Assert.Equal([run.PromptId], a.ExecutedPromptIds);
        Assert.DoesNotContain(run.PromptId, b.ExecutedPromptIds);
        Assert.Single((await EventsAsync(run)).OfType<PromptRoutedEvent>());
        var restarted = await events.NextAsync(e => e.Kind == PoolEventKind.Restarted);
        Assert.Equal("a", restarted.ServerName);
        Assert.Contains("vanished", restarted.Message, StringComparison.Ordinal);
        Assert.Equal(1, pool.Server("a").Restarts);
    }

    [Fact]
    public async Task At_least_once_a_prompt_whose_server_restarts_mid_run_is_submitted_again_on_another_server()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        var options = Options(a, b);
        options.Delivery = PromptDelivery.AtLeastOnce;
        await using var pool = new ComfyUIPool(options);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        var run = await SubmitOnAAsync(pool, Slow(0, seed: 2));
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        await a.Faults.RestartAsync(cancellationToken: Ct);
        var result = await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);
        var routed = (await EventsAsync(run)).OfType<PromptRoutedEvent>().ToList();

        Assert.Equal(b.BaseAddress, result.Server);
        Assert.Equal(b.BaseAddress, run.Server);
        Assert.Equal(["a", "b"], routed.Select(r => r.ServerName));
        Assert.Equal([1, 2], routed.Select(r => r.Attempt));
        Assert.Contains("without the prompt", routed[1].Reason, StringComparison.Ordinal);

        // It began on a (the restart cut it short), and ran to its end on b once a no longer had it.
        Assert.Equal([run.PromptId], a.ExecutedPromptIds);
        Assert.Equal([run.PromptId], b.ExecutedPromptIds);
    }

    [Fact]
    public async Task A_killed_server_goes_down_is_probed_and_comes_back_restarted_with_its_capabilities_read_again()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(a, b));
        await pool.ReadyAsync();
        await using var events = new PoolEventLog(pool);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        var run = await SubmitOnAAsync(pool, Slow(0, seed: 3));
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        await a.Faults.KillAsync(Ct);
        var down = await events.NextAsync(e => e.Kind == PoolEventKind.Down);
        Assert.Equal(PoolServerHealth.Unhealthy, pool.Server("a").Health);

        // While a is down, prompts go to b.
        var meanwhile = await pool.RunAsync(Text("meanwhile"), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        Assert.Equal(b.BaseAddress, meanwhile.Server);

        await a.Faults.ReviveAsync(Ct);
        var up = await events.NextAsync(e => e.Kind == PoolEventKind.Up);
        var restarted = await events.NextAsync(e => e.Kind == PoolEventKind.Restarted);
        var read = await events.NextAsync(e => e.Kind == PoolEventKind.CapabilitiesRead && e.ServerName == "a");
        var result = await run.Completion.WaitAsync(Waits.Deadline, Ct);

        Assert.Equal("a", down.ServerName);
        Assert.Equal("a", up.ServerName);
        Assert.Equal("a", restarted.ServerName);
        Assert.True(read.Time >= restarted.Time);
        Assert.Equal(PromptStatus.Lost, result.Status);
        Assert.Equal([run.PromptId], a.ExecutedPromptIds);
        Assert.DoesNotContain(run.PromptId, b.ExecutedPromptIds);
    }

    [Fact]
    public async Task A_restart_between_prompts_shows_in_the_prompt_counter_going_back()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(a, b));
        await pool.DrainServerAsync("b", Ct).WaitAsync(Waits.Deadline, Ct);
        for (var i = 0; i < 3; i++)
        {
            await pool.RunAsync(Text("count", i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        }

        await using var events = new PoolEventLog(pool);
        await a.Faults.RestartAsync(keepHistory: true, Ct);
        await pool.WaitUntilAsync(p => p.Server("a").Health == PoolServerHealth.Healthy);
        await pool.RunAsync(Text("after", 9), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        var restarted = await events.NextAsync(e => e.Kind == PoolEventKind.Restarted);

        Assert.Equal("a", restarted.ServerName);
        Assert.Contains("counter went back", restarted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_least_once_a_server_cut_off_too_long_hands_its_prompts_to_another_and_they_are_removed_from_it_when_it_is_back()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var proxy = new TcpFaultProxy(a.BaseAddress);
        var options = Options(a, b);
        options.Servers[0].BaseAddress = proxy.BaseAddress;
        options.Delivery = PromptDelivery.AtLeastOnce;
        options.ResubmitAfter = TimeSpan.FromMilliseconds(500);
        await using var pool = new ComfyUIPool(options);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        await pool.DrainServerAsync("b", Ct).WaitAsync(Waits.Deadline, Ct);
        var running = await pool.SubmitAsync(Slow(0, seed: 10), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        var pending = await pool.SubmitAsync(Slow(0, seed: 11), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        pool.ResumeServer("b");
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        // The network to a fails; a keeps running one prompt (held) and holds the other in its queue.
        proxy.RefuseNew = true;
        proxy.CutAll();
        var results = await Task.WhenAll(running.WaitAsync(Ct), pending.WaitAsync(Ct)).WaitAsync(Waits.Deadline, Ct);
        Assert.All(results, r => Assert.Equal(b.BaseAddress, r.Server));
        Assert.Equal(new[] { running.PromptId, pending.PromptId }.Order(), b.ExecutedPromptIds.Order());

        // Back on the network: the pool removes the pending one from a and interrupts the running one there.
        proxy.RefuseNew = false;
        await a.WaitForPromptAsync(running.PromptId, Ct).WaitAsync(Waits.Deadline, Ct);
        Assert.Empty(a.PendingPromptIds);
        Assert.Equal([running.PromptId], a.ExecutedPromptIds);
        Assert.DoesNotContain(pending.PromptId, a.ExecutedPromptIds);
    }

    [Fact]
    public async Task At_most_once_a_server_cut_off_for_a_while_keeps_its_prompt_and_the_run_ends_there()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var proxy = new TcpFaultProxy(a.BaseAddress);
        var options = Options(a, b);
        options.Servers[0].BaseAddress = proxy.BaseAddress;
        options.ResubmitAfter = TimeSpan.FromMilliseconds(200); // not used at most once
        await using var pool = new ComfyUIPool(options);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        var run = await SubmitOnAAsync(pool, Slow(0, seed: 20));
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        proxy.RefuseNew = true;
        proxy.CutAll();
        await pool.WaitUntilAsync(p => p.Server("a").Health == PoolServerHealth.Unhealthy);
        hold.Release();
        await a.WaitForPromptAsync(run.PromptId, Ct).WaitAsync(Waits.Deadline, Ct);
        proxy.RefuseNew = false;
        var result = await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(proxy.BaseAddress, result.Server);
        Assert.Equal([run.PromptId], a.ExecutedPromptIds);
        Assert.Empty(b.ExecutedPromptIds);
    }

    [Fact]
    public async Task A_submission_whose_answer_was_lost_is_not_sent_elsewhere_at_most_once_and_is_settled_first_at_least_once()
    {
        await using var a = await ScriptedComfyServer.StartAsync();
        a.OnPrompt = (body, _) =>
        {
            a.Pending[body["prompt_id"]!.GetValue<string>()] = true;
            return Task.FromResult((0, "")); // queued, then the connection dropped before the answer
        };
        a.DropHistoryReads = true; // and it cannot be asked whether it has the prompt
        await using var b = await StartServerAsync();

        async Task<ComfyUIPool> PoolAsync(PromptDelivery delivery)
        {
            var options = Options(b);
            options.Servers[0].Name = "b";
            options.Servers.Insert(0, new PoolServerOptions { BaseAddress = a.BaseAddress, Name = "a" });
            options.Delivery = delivery;
            var pool = new ComfyUIPool(options);
            await pool.ReadyAsync();
            return pool;
        }

        await using (var atMostOnce = await PoolAsync(PromptDelivery.AtMostOnce))
        {
            await atMostOnce.DrainServerAsync("b", Ct);
            await Assert.ThrowsAsync<ComfyUIPromptFateUnknownException>(() => atMostOnce.SubmitAsync(Text("in doubt", 1), cancellationToken: Ct)).WaitAsync(Waits.Deadline, Ct);
            atMostOnce.ResumeServer("b");
            Assert.Empty(b.ExecutedPromptIds);
        }

        await using var atLeastOnce = await PoolAsync(PromptDelivery.AtLeastOnce);
        await atLeastOnce.DrainServerAsync("b", Ct);
        var run = await atLeastOnce.SubmitAsync(Text("in doubt", 2), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        atLeastOnce.ResumeServer("b");
        Assert.Equal(a.BaseAddress, run.Server);
        Assert.Empty(b.ExecutedPromptIds); // in doubt: not sent elsewhere yet

        // a answers again, without the prompt: now it is known absent, and goes to b.
        a.Pending.Clear();
        a.DropHistoryReads = false;
        var result = await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(b.BaseAddress, result.Server);
        Assert.Equal([run.PromptId], b.ExecutedPromptIds);
    }
}
