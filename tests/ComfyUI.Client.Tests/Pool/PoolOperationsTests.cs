using ComfyUI.Client.Testing;
using static ComfyUI.Client.Tests.Pool.PoolTestKit;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>Operating a pool while it runs prompts: draining, adding and removing servers, and several pools over the same servers.</summary>
public sealed class PoolOperationsTests
{
    [Fact]
    public async Task A_draining_server_gets_no_new_prompts_and_the_drain_ends_when_its_prompt_has_ended()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(a, b));
        await using var events = new PoolEventLog(pool);
        await pool.DrainServerAsync("b", Ct).WaitAsync(Waits.Deadline, Ct);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        var held = await pool.SubmitAsync(Slow(0, seed: 1), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        pool.ResumeServer("b");
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        var drained = pool.DrainServerAsync("a", Ct);
        Assert.True(pool.Server("a").IsDraining);
        var meanwhile = new List<Uri>();
        for (var i = 0; i < 3; i++)
        {
            meanwhile.Add((await pool.RunAsync(Text("meanwhile", i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct)).Server!);
        }

        Assert.False(drained.IsCompleted);
        hold.Release();
        await drained.WaitAsync(Waits.Deadline, Ct);
        var result = await held.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.All(meanwhile, server => Assert.Equal(b.BaseAddress, server));
        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.Equal(a.BaseAddress, result.Server);
        Assert.Equal(0, pool.Server("a").InFlight);
        Assert.Equal("a", (await events.NextAsync(e => e.Kind == PoolEventKind.Draining && e.ServerName == "a")).ServerName);

        // Resumed, it takes prompts again: with b busy, the next one goes to a.
        Assert.True(pool.ResumeServer("a"));
        var busy = b.Faults.HoldNode("SdkTestSlow");
        await pool.DrainServerAsync("a", Ct).WaitAsync(Waits.Deadline, Ct);
        var onB = await pool.SubmitAsync(Slow(0, seed: 2), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        pool.ResumeServer("a");
        await busy.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);
        var next = await pool.RunAsync(Text("after", 9), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        Assert.Equal(a.BaseAddress, next.Server);
        busy.Release();
        await onB.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);
    }

    [Fact]
    public async Task Servers_added_while_prompts_run_take_new_ones_and_a_removed_server_finishes_its_own_first()
    {
        await using var a = await StartServerAsync();
        await using var c = await StartServerAsync(o => o.ExcludedNodeClasses.Add("SdkTestSlow"));
        await using var pool = new ComfyUIPool(Options(a));
        await using var events = new PoolEventLog(pool);
        var hold = a.Faults.HoldNode("SdkTestSlow");
        var held = await pool.SubmitAsync(Slow(0, seed: 1), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        var added = pool.AddServer(new PoolServerOptions { BaseAddress = c.BaseAddress, Name = "c" });
        Assert.Equal("c", added.Name);
        var onC = await pool.RunAsync(Text("new server", 1), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        Assert.Equal(c.BaseAddress, onC.Server); // a holds a prompt, c none

        var removing = pool.RemoveServerAsync("a", Ct);
        Assert.False(removing.IsCompleted);
        var slowAnywhere = await Assert.ThrowsAsync<ComfyUIPoolException>(() => pool.SubmitAsync(Slow(0, seed: 2), cancellationToken: Ct)).WaitAsync(Waits.Deadline, Ct);
        Assert.Equal(PoolRejectionKind.Draining, slowAnywhere.Rejections.Single(r => r.ServerName == "a").Kind);
        Assert.Equal(PoolRejectionKind.MissingNodeType, slowAnywhere.Rejections.Single(r => r.ServerName == "c").Kind);

        hold.Release();
        var result = await held.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);
        await removing.WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.Equal(a.BaseAddress, result.Server);
        Assert.Equal(["c"], pool.Servers.Select(s => s.Name));
        Assert.Equal("a", (await events.NextAsync(e => e.Kind == PoolEventKind.Removed)).ServerName);
        Assert.Throws<ArgumentException>(() => pool.GetClient("a"));
        Assert.Equal(c.BaseAddress, (await pool.RunAsync(Text("only c", 2), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct)).Server);
    }

    [Fact]
    public async Task Adding_a_second_server_of_the_same_name_is_refused_with_the_reason()
    {
        await using var a = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(a));

        var error = Assert.Throws<ArgumentException>(() => pool.AddServer(new PoolServerOptions { BaseAddress = a.BaseAddress, Name = "a" }));

        Assert.Contains("already has a server named 'a'", error.Message, StringComparison.Ordinal);
        Assert.Single(pool.Servers);
    }

    [Fact]
    public async Task Two_pools_over_the_same_servers_balance_by_the_queues_the_servers_report()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var first = new ComfyUIPool(Options(a, b));
        await using var second = new ComfyUIPool(Options(a, b));
        await Task.WhenAll(first.ReadyAsync(), second.ReadyAsync());
        var holds = new[] { a.Faults.HoldNode("SdkTestSlow"), b.Faults.HoldNode("SdkTestSlow") };

        // The pools take turns, each seeing the other's prompts only in the queues the servers report.
        var runs = new List<PromptRun>();
        for (var i = 0; i < 6; i++)
        {
            var pool = i % 2 == 0 ? first : second;
            var queued = i;
            await pool.WaitUntilAsync(p => p.Servers.Sum(s => s.QueueRemaining) == queued);
            runs.Add(await pool.SubmitAsync(Slow(0, seed: i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct));
        }

        Assert.Equal(3, runs.Count(r => r.Server == a.BaseAddress));
        Assert.Equal(3, runs.Count(r => r.Server == b.BaseAddress));
        foreach (var hold in holds)
        {
            hold.Release();
        }

        var results = await Task.WhenAll(runs.Select(r => r.WaitAsync(Ct))).WaitAsync(Waits.Deadline, Ct);
        Assert.All(results, r => Assert.Equal(PromptStatus.Succeeded, r.Status));
        Assert.Equal(6, a.ExecutedPromptIds.Count + b.ExecutedPromptIds.Count);
    }
}
