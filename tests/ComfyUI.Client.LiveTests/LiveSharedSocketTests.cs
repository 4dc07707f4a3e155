namespace ComfyUI.Client.LiveTests;

/// <summary>
/// On the real server, which keeps one socket per client id: a user's own socket next to tracked runs. The silence check is set beyond the
/// deadline, so a run that lost its events would hang: every run here finishes from its own events.
/// </summary>
public sealed class LiveSharedSocketTests
{
    private static Workflow Text(ulong seed) => new WorkflowBuilder()
        .Add("SdkTestTextOutput", n => n.Set("text", "shared").Set("seed", seed))
        .Build();


    [Fact]
    public async Task Every_run_event_reaches_a_users_socket_and_the_runs_and_runs_after_it_is_disposed_still_hear_theirs()
    {
        var url = Live.Url;
        Assert.SkipWhen(url is null, "COMFYUI_URL is not set.");
        var options = new ComfyUIClientOptions { BaseAddress = url };
        options.Tracking.SilenceReconcileInterval = TimeSpan.FromHours(1);
        await using var client = new ComfyUIClient(options);
        var ids = new List<string>();
        try
        {
            var socket = await client.ConnectWebSocketAsync(Live.Ct);
            var reader = socket.Subscribe();
            for (var i = 0; i < 2; i++)
            {
                var result = await client.RunAsync(Text(Live.FreshSeed()), cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
                ids.Add(result.PromptId);
            }

            var succeeded = new HashSet<string>();
            await foreach (var message in reader.ReadAllAsync(Live.Ct).WithCancellation(Live.Ct))
            {
                if (message is ExecutionSuccessMessage { PromptId: { } id } && succeeded.Add(id) && succeeded.Count == ids.Count)
                {
                    break;
                }
            }

            Assert.Equal(ids.ToHashSet(), succeeded);
            await socket.DisposeAsync();

            var after = await client.RunAsync(Text(Live.FreshSeed()), cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
            ids.Add(after.PromptId);
            Assert.StartsWith("shared", Assert.Single(after.Texts), StringComparison.Ordinal);
        }
        finally
        {
            await Live.ForgetAsync(client, [.. ids]);
        }
    }
}
