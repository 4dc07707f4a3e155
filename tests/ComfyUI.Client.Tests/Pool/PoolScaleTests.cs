using System.Collections.Concurrent;
using ComfyUI.Client.Testing;
using static ComfyUI.Client.Tests.Pool.PoolTestKit;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>
/// Scale simulation: 32 fake servers, 4 pools over all of them, 10,000 prompts, servers killed, revived and restarted at random while prompts
/// run. Excluded from the default run: set COMFYUI_POOL_SCALE=1 (a few minutes on 2 cores). The figures go to the test output and to
/// comfyui-pool-scale.txt in the temp folder.
/// </summary>
public sealed class PoolScaleTests
{
    private const int ServerCount = 32;
    private const int PoolCount = 4;
    private const int PromptCount = 10_000;
    private const int WorkersPerPool = 16;
    private const int ChaosEvery = 400;
    private const int ReviveAfter = 200;

    [Fact]
    public async Task Ten_thousand_prompts_over_32_servers_and_4_pools_with_deaths_and_restarts_each_end_once_and_none_runs_twice()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("COMFYUI_POOL_SCALE") == "1", "Scale simulation: set COMFYUI_POOL_SCALE=1 to run it.");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(20));
        var token = deadline.Token;

        var servers = new FakeComfyUIServer[ServerCount];
        for (var i = 0; i < ServerCount; i++)
        {
            servers[i] = await FakeComfyUIServer.StartAsync(cancellationToken: token);
        }

        var pools = new ComfyUIPool[PoolCount];
        try
        {
            for (var p = 0; p < PoolCount; p++)
            {
                var options = new ComfyUIPoolOptions
                {
                    ProbeBaseDelay = TimeSpan.FromMilliseconds(50),
                    ProbeMaxDelay = TimeSpan.FromMilliseconds(500),
                    HealthCheckInterval = TimeSpan.FromMilliseconds(500),
                    ProbeTimeout = TimeSpan.FromSeconds(5),
                };
                FastClient(options.Client);
                options.Client.Tracking.LostAfter = TimeSpan.FromSeconds(2);
                for (var i = 0; i < ServerCount; i++)
                {
                    options.Servers.Add(new PoolServerOptions { BaseAddress = servers[i].BaseAddress, Name = "s" + i });
                }

                pools[p] = new ComfyUIPool(options);
            }

            await Task.WhenAll(pools.Select(pool => pool.GetServersAsync(token))).WaitAsync(token);

            var outcomes = new ConcurrentDictionary<int, string>();
            var results = new ConcurrentDictionary<string, PromptResult>();
            var next = -1;
            var completed = 0;
            var progress = new SemaphoreSlim(0);
            var dead = new HashSet<int>();
            var chaos = new List<string>();
            var random = new Random(20261202);

            async Task WorkerAsync(ComfyUIPool pool)
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < PromptCount)
                {
                    string outcome;
                    try
                    {
                        var run = await pool.SubmitAsync(Text("scale", index), cancellationToken: token);
                        var result = await run.Completion.WaitAsync(token);
                        results[result.PromptId] = result;
                        outcome = result.Status.ToString();
                    }
                    catch (ComfyUIException ex)
                    {
                        outcome = "not submitted: " + ex.GetType().Name;
                    }

                    Assert.True(outcomes.TryAdd(index, outcome), $"prompt {index} ended twice");
                    Interlocked.Increment(ref completed);
                    progress.Release();
                }
            }

            async Task ChaosAsync(Task workers)
            {
                var revivals = new List<(int At, int Server)>();
                var nextChaos = ChaosEvery;
                while (!workers.IsCompleted)
                {
                    await Task.WhenAny(progress.WaitAsync(token), workers);
                    var done = Volatile.Read(ref completed);
                    foreach (var (at, server) in revivals.Where(r => r.At <= done).ToList())
                    {
                        await servers[server].Faults.ReviveAsync(token);
                        dead.Remove(server);
                        revivals.Remove((at, server));
                        chaos.Add($"{done}: revived s{server}");
                    }

                    if (done >= nextChaos)
                    {
                        nextChaos += ChaosEvery;
                        var victim = random.Next(ServerCount);
                        if (dead.Contains(victim))
                        {
                            continue;
                        }

                        if (random.Next(2) == 0)
                        {
                            await servers[victim].Faults.RestartAsync(keepHistory: false, token);
                            chaos.Add($"{done}: restarted s{victim}");
                        }
                        else
                        {
                            await servers[victim].Faults.KillAsync(token);
                            dead.Add(victim);
                            revivals.Add((done + ReviveAfter, victim));
                            chaos.Add($"{done}: killed s{victim}");
                        }
                    }

                    // The last prompts may wait for a dead server's verdict: bring every dead server back once all prompts are out.
                    if (Volatile.Read(ref next) >= PromptCount)
                    {
                        foreach (var (_, server) in revivals)
                        {
                            await servers[server].Faults.ReviveAsync(token);
                            dead.Remove(server);
                            chaos.Add($"{done}: revived s{server} (end)");
                        }

                        revivals.Clear();
                    }
                }
            }

            var workers = Task.WhenAll(pools.SelectMany(pool => Enumerable.Range(0, WorkersPerPool).Select(_ => Task.Run(() => WorkerAsync(pool), token))));
            var started = TimeProvider.System.GetTimestamp();
            await Task.WhenAll(workers, ChaosAsync(workers)).WaitAsync(token);
            var elapsed = TimeProvider.System.GetElapsedTime(started);

            // Every prompt ended exactly once.
            Assert.Equal(PromptCount, outcomes.Count);
            Assert.Equal(Enumerable.Range(0, PromptCount), outcomes.Keys.Order());

            // None ran twice (at most once), checked on the servers' side; every success ran exactly on the server its result names.
            var executed = servers.SelectMany((server, i) => server.ExecutedPromptIds.Select(id => (Id: id, Server: i))).ToList();
            var twice = executed.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.Empty(twice);
            foreach (var result in results.Values.Where(r => r.Status == PromptStatus.Succeeded))
            {
                var where = executed.Single(e => e.Id == result.PromptId).Server;
                Assert.Equal(servers[where].BaseAddress, result.Server);
            }

            // Load spread: no server ran more than twice the mean.
            var perServer = servers.Select(s => s.ExecutedPromptIds.Count).ToArray();
            var mean = perServer.Average();
            var byOutcome = outcomes.Values.GroupBy(o => o).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
            var report = string.Join(Environment.NewLine, [
                $"{PromptCount} prompts, {ServerCount} servers, {PoolCount} pools x {WorkersPerPool} workers, {elapsed.TotalSeconds:F1} s",
                "outcomes: " + string.Join(", ", byOutcome),
                $"executed on servers: {executed.Count} (distinct {executed.Select(e => e.Id).Distinct().Count()}), per server min {perServer.Min()} mean {mean:F1} max {perServer.Max()}",
                $"restarts seen by pool 0: {pools[0].Servers.Sum(s => s.Restarts)}",
                "chaos: " + string.Join("; ", chaos),
            ]);
            TestContext.Current.TestOutputHelper?.WriteLine(report);
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "comfyui-pool-scale.txt"), report, token);
            Assert.True(perServer.Max() <= 2 * mean, report);
            Assert.True(outcomes.Values.Count(o => o == nameof(PromptStatus.Succeeded)) >= PromptCount * 9 / 10, report);
        }
        finally
        {
            foreach (var pool in pools)
            {
                if (pool is not null)
                {
                    await pool.DisposeAsync();
                }
            }

            foreach (var server in servers)
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }
}
