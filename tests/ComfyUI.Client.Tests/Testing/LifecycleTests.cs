using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>Start, addresses, the /api prefix of the socket, and a fast dispose.</summary>
public sealed class LifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dispose_is_fast_with_open_sockets_and_a_held_prompt_and_deletes_the_folders()
    {
        var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct).WaitAsync(WsRecorder.Deadline, Ct);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        var root = server.RootDirectory;
        Assert.True(Directory.Exists(Path.Combine(root, "output")));
        await using var ws = await WsRecorder.ConnectAsync(server.BaseAddress, "x", Ct, path: "api/ws");
        Assert.Equal("status", (await ws.NextAsync(Ct)).Type);
        var hold = server.Faults.HoldNode("1");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var prompt = """{"client_id":"x","prompt":{"1":{"class_type":"SdkTestSlow","inputs":{"seconds":60,"poll_seconds":0.05,"report_progress":true,"seed":1}}}}""";
        using (var content = new StringContent(prompt))
        {
            using var r = await http.PostAsync("/api/prompt", content, Ct);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        await hold.WaitUntilReachedAsync(Ct).WaitAsync(WsRecorder.Deadline, Ct);
        var watch = Stopwatch.StartNew();
        await server.DisposeAsync().AsTask().WaitAsync(WsRecorder.Deadline, Ct);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        await ws.Closed.Task.WaitAsync(WsRecorder.Deadline, Ct);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task Fixed_port_option_is_used()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var server = await FakeComfyUIServer.StartAsync(new FakeComfyUIServerOptions { Port = port }, Ct).WaitAsync(WsRecorder.Deadline, Ct);
        Assert.Equal(port, server.BaseAddress.Port);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var stats = JsonNode.Parse(await http.GetStringAsync("/system_stats", Ct))!;
        Assert.Equal("0.33.0", stats["system"]!["comfyui_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Port_in_use_fails_start_cleanly()
    {
        await using var first = await FakeComfyUIServer.StartAsync(cancellationToken: Ct).WaitAsync(WsRecorder.Deadline, Ct);
        await Assert.ThrowsAsync<IOException>(() => FakeComfyUIServer.StartAsync(new FakeComfyUIServerOptions { Port = first.BaseAddress.Port }, Ct).WaitAsync(WsRecorder.Deadline, Ct));
    }

    [Fact]
    public async Task Prompt_without_client_id_broadcasts_only_progress_and_status()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct).WaitAsync(WsRecorder.Deadline, Ct);
        await using var ws = await WsRecorder.ConnectAsync(server.BaseAddress, "watcher", Ct);
        Assert.Equal("status", (await ws.NextAsync(Ct)).Type);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var prompt = """{"prompt":{"1":{"class_type":"SdkTestProgressImage","inputs":{"steps":2,"delay_seconds":0,"width":8,"height":8,"preview_format":"PNG","send_progress_text":false,"seed":1}},"2":{"class_type":"PreviewImage","inputs":{"images":["1",0]}}}}""";
        string id;
        using (var content = new StringContent(prompt))
        {
            using var r = await http.PostAsync("/prompt", content, Ct);
            id = JsonNode.Parse(await r.Content.ReadAsStringAsync(Ct))!["prompt_id"]!.GetValue<string>();
        }

        await server.WaitForPromptAsync(id, Ct).WaitAsync(WsRecorder.Deadline, Ct);
        // The last broadcast after the history entry is the final status; read up to it.
        var frames = await ws.UntilAsync(f => f.Type == "status" && f.Data!["status"]!["exec_info"]!["queue_remaining"]!.GetValue<int>() == 0, Ct);
        Assert.All(frames, f => Assert.True(f.Type is "status" or "progress" or "progress_state" || (f.Type is null && f.BinaryType == 1), f.ToString()));
        Assert.Contains(frames, f => f.Type is null);
    }
}
