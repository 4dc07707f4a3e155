using System.Net.NetworkInformation;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Faults;

/// <summary>
/// Long: 2,000 runs on the fake server with random faults; every run must end, and memory and open connections must stay flat.
/// Excluded from the default run: set COMFYUI_SOAK=1 (about a minute or two on 2 cores).
/// </summary>
[Trait("Category", "Soak")]
public sealed class SoakTests
{
    [Fact]
    public async Task Two_thousand_runs_with_random_faults_all_end_and_nothing_leaks()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("COMFYUI_SOAK") == "1", "Soak test: set COMFYUI_SOAK=1 to run it.");
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: ct);
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = "soak" };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(10);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(100);
        options.Tracking.PollInterval = TimeSpan.FromMilliseconds(50);
        options.Tracking.LostAfter = TimeSpan.FromSeconds(2);
        await using var client = new ComfyUIClient(options);
        var random = new Random(20261128);
        var statuses = new Dictionary<PromptStatus, int>();
        long baselineMemory = 0;
        var baselineConnections = 0;

        for (var batch = 0; batch < 100; batch++)
        {
            var runs = new List<Task<PromptResult>>();
            for (var i = 0; i < 20; i++)
            {
                var n = batch * 20 + i;
                var fault = random.Next(10);
                if (fault == 0)
                {
                    server.Faults.RaiseErrorAtNode("SdkTestTextOutput");
                }

                var workflow = new WorkflowBuilder().Add("SdkTestTextOutput", x => x.Set("text", "soak").Set("seed", n)).Build();
                runs.Add(Task.Run(async () =>
                {
                    try
                    {
                        var run = await client.SubmitAsync(workflow, cancellationToken: ct);
                        await using (run)
                        {
                            return await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), ct);
                        }
                    }
                    catch (ComfyUIPromptValidationException)
                    {
                        return new PromptResult { PromptId = "rejected", Status = PromptStatus.Failed };
                    }
                }, ct));
                if (fault == 1)
                {
                    server.Faults.DropWebSockets();
                }
            }

            foreach (var result in await Task.WhenAll(runs))
            {
                statuses[result.Status] = statuses.GetValueOrDefault(result.Status) + 1;
            }

            await client.History.ClearAsync(ct);
            if (batch == 10)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                baselineMemory = GC.GetTotalMemory(forceFullCollection: true);
                baselineConnections = OpenConnections(server.BaseAddress.Port);
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var finalMemory = GC.GetTotalMemory(forceFullCollection: true);
        var finalConnections = OpenConnections(server.BaseAddress.Port);

        Assert.Equal(2000, statuses.Values.Sum());
        Assert.True(statuses.GetValueOrDefault(PromptStatus.Succeeded) > 1500, string.Join(", ", statuses));
        Assert.Equal(0, client.RunHub.ActiveRuns);
        Assert.True(finalMemory < baselineMemory + 32 * 1024 * 1024, $"memory grew from {baselineMemory} to {finalMemory}");
        Assert.True(finalConnections <= baselineConnections + 4, $"connections grew from {baselineConnections} to {finalConnections}");
    }

    private static int OpenConnections(int port) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(c => c.RemoteEndPoint.Port == port && c.State == TcpState.Established);
}
