using ComfyUI.Client.Testing;
using static ComfyUI.Client.Tests.Pool.PoolTestKit;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>Routing on fake servers with different node sets: by capability (node classes, combo choices) and by the servers' own queues.</summary>
public sealed class PoolRoutingTests
{
    [Fact]
    public async Task Prompts_needing_a_node_class_only_one_server_has_always_go_there()
    {
        await using var withoutSlow = await StartServerAsync(o => o.ExcludedNodeClasses.Add("SdkTestSlow"));
        await using var withSlow = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(withoutSlow, withSlow));

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => pool.SubmitAsync(Slow(0, seed: i), cancellationToken: Ct)));
        var results = await Task.WhenAll(runs.Select(run => run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct)));

        Assert.All(results, result => Assert.Equal(withSlow.BaseAddress, result.Server));
        Assert.All(runs, run => Assert.Equal(withSlow.BaseAddress, run.Server));
        Assert.Empty(withoutSlow.ExecutedPromptIds);
        Assert.Equal(runs.Select(r => r.PromptId).Order(), withSlow.ExecutedPromptIds.Order());
    }

    [Fact]
    public async Task A_prompt_choosing_a_value_only_one_server_lists_goes_there_and_others_go_anywhere()
    {
        // Server a lists two "models" of the combo, server b all four: KeyError is a model only b has.
        await using var fewer = await StartServerAsync(o => o.ComboChoices["SdkTestRaiseError.exception_type"] = ["RuntimeError", "ValueError"]);
        await using var all = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(fewer, all));

        for (var i = 0; i < 4; i++)
        {
            var run = await pool.SubmitAsync(Choosing("KeyError", seed: i), cancellationToken: Ct);
            var result = await run.Completion.WaitAsync(Waits.Deadline, Ct);
            Assert.Equal(PromptStatus.Failed, result.Status); // the node raises the chosen exception: it ran
            Assert.Equal("KeyError", result.Error?.ExceptionType);
            Assert.Equal(all.BaseAddress, result.Server);
        }

        var anywhere = new HashSet<Uri>();
        for (var i = 0; i < 4; i++)
        {
            anywhere.Add((await pool.RunAsync(Text("anywhere", seed: i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct)).Server!);
        }

        Assert.Empty(fewer.ExecutedPromptIds.Intersect(all.ExecutedPromptIds));
        Assert.Equal(2, anywhere.Count);
    }

    [Fact]
    public async Task A_prompt_no_server_can_run_fails_at_once_with_each_servers_reason_and_nothing_queued()
    {
        await using var noSlow = await StartServerAsync(o =>
        {
            o.ExcludedNodeClasses.Add("SdkTestSlow");
            o.ExcludedNodeClasses.Add("SdkTestRaiseError");
        });
        await using var fewChoices = await StartServerAsync(o =>
        {
            o.ComboChoices["SdkTestRaiseError.exception_type"] = ["RuntimeError"];
            o.ExcludedNodeClasses.Add("SdkTestSlow");
        });
        await using var pool = new ComfyUIPool(Options(noSlow, fewChoices));
        var workflow = new WorkflowBuilder()
            .Add("SdkTestSlow", n => n.Set("seconds", 0.0).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", 1))
            .Build();

        var error = await Assert.ThrowsAsync<ComfyUIPoolException>(() => pool.SubmitAsync(workflow, cancellationToken: Ct)).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(["a", "b"], error.Rejections.Select(r => r.ServerName));
        Assert.All(error.Rejections, r => Assert.Equal(PoolRejectionKind.MissingNodeType, r.Kind));
        Assert.All(error.Rejections, r => Assert.Contains("SdkTestSlow", r.Reason, StringComparison.Ordinal));
        Assert.Equal("missing_node_type", error.Rejections[0].ValidationError?.Type);
        Assert.Contains("a: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("b: ", error.Message, StringComparison.Ordinal);

        var choice = await Assert.ThrowsAsync<ComfyUIPoolException>(() => pool.SubmitAsync(Choosing("TypeError"), cancellationToken: Ct)).WaitAsync(Waits.Deadline, Ct);
        Assert.Equal(PoolRejectionKind.MissingNodeType, choice.Rejections.Single(r => r.ServerName == "a").Kind);
        Assert.Equal(PoolRejectionKind.ValueNotInList, choice.Rejections.Single(r => r.ServerName == "b").Kind);
        Assert.Contains("TypeError", choice.Rejections.Single(r => r.ServerName == "b").Reason, StringComparison.Ordinal);

        Assert.Empty(noSlow.ExecutedPromptIds);
        Assert.Empty(fewChoices.ExecutedPromptIds);
        Assert.Empty(noSlow.PendingPromptIds);
        Assert.Empty(fewChoices.PendingPromptIds);
    }

    [Fact]
    public async Task The_server_with_the_shorter_queue_gets_the_prompts_by_its_own_report()
    {
        await using var busy = await StartServerAsync();
        await using var idle = await StartServerAsync();
        await using var pool = new ComfyUIPool(Options(busy, idle));
        await pool.ReadyAsync();

        // Another client (not the pool) fills server a: one prompt held running, one waiting.
        var hold = busy.Faults.HoldNode("SdkTestSlow");
        await using var other = new ComfyUIClient(busy.BaseAddress);
        await using var held = await other.SubmitAsync(Slow(0, seed: 100), cancellationToken: Ct);
        await using var waiting = await other.SubmitAsync(Slow(0, seed: 101), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);
        await pool.WaitUntilAsync(p => p.Server("a").QueueRemaining == 2);

        var first = await pool.RunAsync(Text("one", 1), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        var second = await pool.RunAsync(Text("two", 2), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(idle.BaseAddress, first.Server);
        Assert.Equal(idle.BaseAddress, second.Server);
        hold.Release();
        await held.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);
    }

    [Fact]
    public async Task Weights_share_held_prompts_two_to_one()
    {
        await using var heavy = await StartServerAsync();
        await using var light = await StartServerAsync();
        var options = Options(heavy, light);
        options.Servers[0].Weight = 2;
        await using var pool = new ComfyUIPool(options);
        await pool.ReadyAsync();
        var holds = new[] { heavy.Faults.HoldNode("SdkTestSlow"), light.Faults.HoldNode("SdkTestSlow") };

        var runs = new List<PromptRun>();
        for (var i = 0; i < 6; i++)
        {
            runs.Add(await pool.SubmitAsync(Slow(0, seed: i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct));
        }

        Assert.True(4 == runs.Count(r => r.Server == heavy.BaseAddress), string.Join(", ", runs.Select(r => r.Server == heavy.BaseAddress ? "a" : "b")) + " " + string.Join("; ", pool.Servers));
        Assert.Equal(2, runs.Count(r => r.Server == light.BaseAddress));
        foreach (var hold in holds)
        {
            hold.Release();
        }

        await Task.WhenAll(runs.Select(r => r.WaitAsync(Ct))).WaitAsync(Waits.Deadline, Ct);
    }

    [Fact]
    public async Task Round_robin_takes_each_server_in_turn_by_weight()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        var options = Options(a, b);
        options.Routing = PoolRouting.RoundRobin;
        options.Servers[0].Weight = 2;
        await using var pool = new ComfyUIPool(options);

        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var result = await pool.RunAsync(Text("rr", i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
            order.Add(result.Server == a.BaseAddress ? "a" : "b");
        }

        Assert.Equal(["a", "b", "a", "a", "b", "a"], order);
    }

    [Fact]
    public async Task A_strategy_of_your_own_chooses_among_the_servers_that_can_run_the_prompt()
    {
        await using var a = await StartServerAsync(o => o.ExcludedNodeClasses.Add("SdkTestSlow"));
        await using var b = await StartServerAsync();
        await using var c = await StartServerAsync();
        var strategy = new LastCandidate();
        await using var pool = new ComfyUIPool(Options(a, b, c), strategy);

        var text = await pool.RunAsync(Text("mine"), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        var slow = await pool.RunAsync(Slow(0), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(c.BaseAddress, text.Server);
        Assert.Equal(["a", "b", "c"], strategy.Seen[0]);
        Assert.Equal(["b", "c"], strategy.Seen[1]);
        Assert.Equal(c.BaseAddress, slow.Server);
    }

    [Fact]
    public async Task Equal_servers_keep_a_checkpoint_where_it_was_loaded_and_alternate_without_affinity()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();

        async Task<List<Uri>> RunAllAsync(bool affinity)
        {
            var options = Options(a, b);
            options.PreferSameCheckpoint = affinity;
            options.CheckpointOf = workflow => workflow.Nodes.First().GetInput<string>("text");
            await using var pool = new ComfyUIPool(options);
            var servers = new List<Uri>();
            for (var i = 0; i < 4; i++)
            {
                servers.Add((await pool.RunAsync(Text("model-1", i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct)).Server!);
            }

            return servers;
        }

        var sticky = await RunAllAsync(affinity: true);
        var alternating = await RunAllAsync(affinity: false);

        Assert.Single(sticky.Distinct());
        Assert.Equal(2, alternating.Distinct().Count());
    }

    private sealed class LastCandidate : IPoolRoutingStrategy
    {
        public List<string[]> Seen { get; } = [];

        public PoolServerState Select(IReadOnlyList<PoolServerState> candidates, PoolRoutingRequest request)
        {
            Seen.Add([.. candidates.Select(c => c.Name)]);
            return candidates[^1];
        }
    }
}
