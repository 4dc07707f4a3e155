using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Runs;

/// <summary>
/// One physical socket per client id in the process: ComfyUI keeps one socket per client id (the newest wins, and closing either drops the id),
/// so a user's <c>ConnectWebSocketAsync</c> socket and the run tracker's must be the same socket. The silence check is set far beyond the
/// deadline here: a run that lost its events would hang, so every run that finishes finished from its own events.
/// </summary>
public sealed class SharedSocketTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ComfyUIClient CreateClient(FakeComfyUIServer server, string clientId = "shared-socket")
    {
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = clientId };
        options.Tracking.SilenceReconcileInterval = TimeSpan.FromHours(1);
        return new ComfyUIClient(options);
    }

    private static Workflow TextWorkflow(int seed) => new WorkflowBuilder()
        .Add("SdkTestTextOutput", n => n.Set("text", "run" + seed).Set("seed", seed))
        .Build();

    [Fact]
    public async Task A_users_socket_open_next_to_runs_sees_every_run_event_and_the_runs_finish_from_their_own()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var reader = socket.Subscribe();

        var results = new List<PromptResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await client.RunAsync(TextWorkflow(i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct));
        }

        Assert.Equal(["run0", "run1", "run2"], results.Select(r => Assert.Single(r.Texts)));
        var succeeded = new HashSet<string>();
        await foreach (var message in reader.ReadAllAsync(Ct).WithCancellation(Ct))
        {
            if (message is ExecutionSuccessMessage { PromptId: { } id } && succeeded.Add(id) && succeeded.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(results.Select(r => r.PromptId).ToHashSet(), succeeded);
        Assert.Equal(1, server.WebSocketUpgradeAttempts);
        Assert.True(socket.IsConnected);
    }

    [Fact]
    public async Task Disposing_the_users_socket_never_closes_the_socket_later_runs_depend_on()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        var socket = await client.ConnectWebSocketAsync(Ct);
        var first = await client.RunAsync(TextWorkflow(10), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);

        await socket.DisposeAsync();
        Assert.Equal(ComfyWebSocketState.Closed, socket.State);
        var later = new List<PromptResult>();
        for (var i = 11; i < 14; i++)
        {
            later.Add(await client.RunAsync(TextWorkflow(i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct));
        }

        Assert.Equal("run10", Assert.Single(first.Texts));
        Assert.Equal(["run11", "run12", "run13"], later.Select(r => Assert.Single(r.Texts)));
        Assert.Equal(1, server.WebSocketUpgradeAttempts);
    }

    [Fact]
    public async Task A_socket_opened_after_runs_started_shares_their_socket_and_its_stream_starts_connected()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = CreateClient(server);
        await client.RunAsync(TextWorkflow(20), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);

        await using var socket = await client.ConnectWebSocketAsync(Ct);
        var run = await client.SubmitAsync(TextWorkflow(21), cancellationToken: Ct);
        var result = await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);

        var seen = new List<ComfyMessage>();
        await foreach (var message in socket.ReadAllAsync(Ct).WithCancellation(Ct))
        {
            seen.Add(message);
            if (message is ExecutionSuccessMessage success && success.PromptId == run.PromptId)
            {
                break;
            }
        }

        Assert.IsType<ConnectedMessage>(seen[0]);
        Assert.Equal("run21", Assert.Single(result.Texts));
        Assert.Equal(1, server.WebSocketUpgradeAttempts);
    }

    [Fact]
    public async Task Two_clients_with_the_same_fixed_client_id_in_one_process_share_one_socket()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var one = CreateClient(server, "fixed-id");
        await using var two = CreateClient(server, "fixed-id");

        var runs = await Task.WhenAll(
            Enumerable.Range(30, 6).Select(i => (i % 2 == 0 ? one : two).SubmitAsync(TextWorkflow(i), cancellationToken: Ct)));
        var results = await Task.WhenAll(runs.Select(r => r.WaitAsync(Ct))).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal(Enumerable.Range(30, 6).Select(i => "run" + i), results.Select(r => Assert.Single(r.Texts)));
        Assert.Equal(1, server.WebSocketUpgradeAttempts);
    }

    [Fact]
    public async Task The_socket_closes_when_its_last_user_is_done_and_a_new_one_opens_for_the_next_run()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var client = CreateClient(server, "closes-last");
        await using (var socket = await client.ConnectWebSocketAsync(Ct))
        {
            await client.RunAsync(TextWorkflow(40), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        }

        Assert.Equal(1, server.WebSocketUpgradeAttempts);
        await client.DisposeAsync();

        await using var next = CreateClient(server, "closes-last");
        var result = await next.RunAsync(TextWorkflow(41), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);

        Assert.Equal("run41", Assert.Single(result.Texts));
        Assert.Equal(2, server.WebSocketUpgradeAttempts);
    }
}
