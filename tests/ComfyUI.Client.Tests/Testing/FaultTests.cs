using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>The scripted faults of FakeComfyUIServer, checked on the wire.</summary>
public sealed class FaultTests : FakeServerTestBase
{
    private static JsonObject EmptyImageSave(int seedColor = 0) => new()
    {
        ["1"] = new JsonObject { ["class_type"] = "EmptyImage", ["inputs"] = new JsonObject { ["width"] = 8, ["height"] = 8, ["batch_size"] = 1, ["color"] = seedColor } },
        ["2"] = new JsonObject { ["class_type"] = "SaveImage", ["inputs"] = new JsonObject { ["images"] = new JsonArray("1", 0), ["filename_prefix"] = "fault/x" } },
    };

    [Fact]
    public async Task Fail_next_validation_returns_the_real_error_shape_once()
    {
        Server.Faults.FailNextValidation("nope");
        var body = new JsonObject { ["prompt"] = EmptyImageSave() }.ToJsonString();
        var (status, json, _) = await PostJsonAsync("/prompt", body);
        Assert.Equal(400, status);
        Assert.Equal("prompt_outputs_failed_validation", json!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(Capture.Shape(JsonNode.Parse(Fixture.Http("prompt_error_invalid_inputs.json"))!["error"]), Capture.Shape(json["error"]));
        Assert.Equal("custom_validation_failed", json["node_errors"]!["2"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(200, (await PostJsonAsync("/prompt", body)).Status);
    }

    [Fact]
    public async Task Raise_error_at_node_gives_execution_error_and_a_failed_job()
    {
        Server.Faults.RaiseErrorAtNode("2", "ValueError", "scripted");
        await using var ws = await ConnectAsync();
        var id = await QueuePromptAsync(EmptyImageSave());
        var frames = await ws.UntilDoneAsync(id, Ct);
        var error = frames.Single(f => f.Type == "execution_error").Data!;
        Assert.Equal("2", error["node_id"]!.GetValue<string>());
        Assert.Equal("SaveImage", error["node_type"]!.GetValue<string>());
        Assert.Equal("scripted\n", error["exception_message"]!.GetValue<string>());
        var expected = Capture.Load("ws_execution_error").Single(e => e.Type == "execution_error").Data;
        Assert.Equal(Capture.Shape(expected!).Replace("image:[s],", string.Empty, StringComparison.Ordinal).Replace(",seed:[n]", string.Empty, StringComparison.Ordinal).Replace("exception_type:[s],message:[s]", "filename_prefix:[s],images:[s]", StringComparison.Ordinal), Capture.Shape(error));
        var (_, job) = await GetJsonAsync($"/api/jobs/{id}");
        Assert.Equal("failed", job!["status"]!.GetValue<string>());
        Assert.DoesNotContain(frames, f => f.Type == "execution_success");

        // One-shot: the next run succeeds.
        var again = await QueuePromptAsync(EmptyImageSave(1));
        Assert.Contains(await ws.UntilDoneAsync(again, Ct), f => f.Type == "execution_success");
    }

    [Fact]
    public async Task Slow_node_is_interruptible()
    {
        Server.Faults.SlowNode("EmptyImage", TimeSpan.FromMinutes(5));
        await using var ws = await ConnectAsync();
        var id = await QueuePromptAsync(EmptyImageSave());
        await ws.UntilAsync(f => f.Type == "executing" && f.Data!["node"]?.GetValue<string>() == "1", Ct);
        Assert.Equal(200, (await PostJsonAsync("/interrupt", string.Empty)).Status);
        var frames = await ws.UntilDoneAsync(id, Ct);
        var interrupted = frames.Single(f => f.Type == "execution_interrupted").Data!;
        Assert.Equal("1", interrupted["node_id"]!.GetValue<string>());
        var (_, history) = await GetJsonAsync($"/history/{id}");
        Assert.Equal("error", history![id]!["status"]!["status_str"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hold_node_keeps_the_prompt_running_until_released()
    {
        var hold = Server.Faults.HoldNode("2");
        await using var ws = await ConnectAsync();
        var id = await QueuePromptAsync(EmptyImageSave());
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        Assert.Equal(id, Server.RunningPromptId);
        var (_, queue) = await GetJsonAsync("/queue");
        Assert.Equal(id, queue!["queue_running"]![0]![1]!.GetValue<string>());
        var (_, jobs) = await GetJsonAsync("/api/jobs?status=in_progress");
        Assert.Equal(1, jobs!["pagination"]!["total"]!.GetValue<int>());
        hold.Release();
        var frames = await ws.UntilDoneAsync(id, Ct);
        Assert.Contains(frames, f => f.Type == "execution_success");
        Assert.Null(Server.RunningPromptId);
        Assert.Contains(id, Server.HistoryPromptIds);
    }

    [Fact]
    public async Task Interrupt_with_another_prompt_id_is_a_no_op()
    {
        var hold = Server.Faults.HoldNode("1");
        await using var ws = await ConnectAsync();
        var id = await QueuePromptAsync(EmptyImageSave());
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        Assert.Equal(200, (await PostJsonAsync("/interrupt", $$"""{"prompt_id":"{{Guid.NewGuid()}}"}""")).Status);
        hold.Release();
        Assert.Contains(await ws.UntilDoneAsync(id, Ct), f => f.Type == "execution_success");
    }

    [Fact]
    public async Task Drop_web_sockets_aborts_every_socket()
    {
        await using var a = await ConnectAsync("a");
        await using var b = await ConnectAsync("b");
        Server.Faults.DropWebSockets();
        await a.Closed.Task.WaitAsync(Deadline, Ct);
        await b.Closed.Task.WaitAsync(Deadline, Ct);
        Assert.Empty(Server.ConnectedClientIds);
    }

    [Fact]
    public async Task Drop_web_sockets_after_n_messages()
    {
        await using var ws = await ConnectAsync();
        Server.Faults.DropWebSocketsAfter(3);
        var id = await QueuePromptAsync(EmptyImageSave());
        var received = new List<WsFrame>();
        try
        {
            while (true)
            {
                received.Add(await ws.NextAsync(Ct));
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }

        await ws.Closed.Task.WaitAsync(Deadline, Ct);
        Assert.Equal(["status", "status", "execution_start"], received.Select(f => f.Type!));

        // The prompt still finishes on the server; a new socket can connect.
        await Server.WaitForPromptAsync(id, Ct).WaitAsync(Deadline, Ct);
        await using var again = await ConnectAsync();
    }

    [Fact]
    public async Task Refused_upgrades_fail_with_the_status_code_and_are_counted()
    {
        Server.Faults.RefuseWebSocketUpgrades(403);
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => WsRecorder.ConnectAsync(Server.BaseAddress, "test", Ct));
        Assert.Contains("403", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, Server.WebSocketUpgradeAttempts);
        Assert.Equal(1, Server.WebSocketUpgradesRefused);
        Server.Faults.AcceptWebSocketUpgrades();
        await using var ws = await ConnectAsync();
        Assert.Equal(2, Server.WebSocketUpgradeAttempts);
        Assert.Equal(["test"], Server.ConnectedClientIds);
    }

    [Fact]
    public async Task Stalled_sockets_stay_open_and_lose_messages()
    {
        await using var ws = await ConnectAsync();
        Server.Faults.StallWebSockets();
        var id = await QueuePromptAsync(EmptyImageSave());
        await Server.WaitForPromptAsync(id, Ct).WaitAsync(Deadline, Ct);
        await Server.Hub.FlushAsync().WaitAsync(Deadline, Ct);
        Server.Faults.ResumeWebSockets();
        Assert.False(ws.Closed.Task.IsCompleted);
        var next = await QueuePromptAsync(EmptyImageSave(5));
        var frames = await ws.UntilDoneAsync(next, Ct);
        Assert.Equal("status", frames[0].Type);
        Assert.DoesNotContain(frames, f => f.Data?["prompt_id"]?.GetValue<string>() == id);
    }

    [Fact]
    public async Task Restart_loses_queue_running_prompt_and_sockets()
    {
        var done = await QueuePromptAsync(EmptyImageSave(9));
        await Server.WaitForPromptAsync(done, Ct).WaitAsync(Deadline, Ct);
        var hold = Server.Faults.HoldNode("1");
        await using var ws = await ConnectAsync();
        var running = await QueuePromptAsync(EmptyImageSave(1));
        var pending = await QueuePromptAsync(EmptyImageSave(2));
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await Server.Faults.RestartAsync(keepHistory: false, Ct).WaitAsync(Deadline, Ct);
        await ws.Closed.Task.WaitAsync(Deadline, Ct);
        var (_, queue) = await GetJsonAsync("/queue");
        Assert.Empty(queue!["queue_running"]!.AsArray());
        Assert.Empty(queue["queue_pending"]!.AsArray());
        var (_, history) = await GetJsonAsync("/history");
        Assert.Empty(history!.AsObject());
        Assert.Null(Server.RunningPromptId);
        var (status, _) = await GetJsonAsync($"/api/jobs/{running}");
        Assert.Equal(404, status);
        _ = pending;

        // Everything works again afterwards, and nothing of the lost prompt is sent.
        await using var again = await ConnectAsync();
        var next = await QueuePromptAsync(EmptyImageSave(3));
        var frames = await again.UntilDoneAsync(next, Ct);
        Assert.Contains(frames, f => f.Type == "execution_success");
        Assert.DoesNotContain(frames, f => f.Data?["prompt_id"]?.GetValue<string>() == running);
    }

    [Fact]
    public async Task Restart_can_keep_history()
    {
        var done = await QueuePromptAsync(EmptyImageSave(9));
        await Server.WaitForPromptAsync(done, Ct).WaitAsync(Deadline, Ct);
        await Server.Faults.RestartAsync(keepHistory: true, Ct).WaitAsync(Deadline, Ct);
        Assert.Equal([done], Server.HistoryPromptIds);
    }

    [Fact]
    public async Task Newest_socket_for_a_client_id_gets_the_events()
    {
        await using var old = await ConnectAsync("same");
        await using var newest = await ConnectAsync("same");
        var id = await QueuePromptAsync(EmptyImageSave(), "same");
        var frames = await newest.UntilDoneAsync(id, Ct);
        Assert.Contains(frames, f => f.Type == "execution_success");
        var oldFrames = new List<WsFrame>();
        while (old.TryRead(out var f))
        {
            oldFrames.Add(f!);
        }

        Assert.All(oldFrames, f => Assert.Equal("status", f.Type));
    }

    [Fact]
    public async Task Reconnect_during_a_node_replays_executing()
    {
        var hold = Server.Faults.HoldNode("1");
        var id = await QueuePromptAsync(EmptyImageSave(), "late");
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        await using var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, "late", Ct);
        Assert.Equal("status", (await ws.NextAsync(Ct)).Type);
        var replay = await ws.NextAsync(Ct);
        Assert.Equal("executing", replay.Type);
        Assert.Equal("""{"node":"1"}""", replay.Data!.ToJsonString());
        hold.Release();
        await ws.UntilDoneAsync(id, Ct);
    }
}
