using System.Text;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>Replays each real WebSocket transcript of captures/ws against the fake and compares types, order, field names and binary layouts.</summary>
public sealed class TranscriptTests : FakeServerTestBase
{
    private static void AssertSameTranscript(List<CapturedFrame> expected, List<WsFrame> actual)
    {
        Assert.Equal(Capture.Describe(expected), Capture.Describe(actual));
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            if (e.Type is not null)
            {
                Assert.True(Capture.Shape(e.Data) == Capture.Shape(a.Data), $"frame {i} ({e.Type}): expected {Capture.Shape(e.Data)} but got {Capture.Shape(a.Data)}");
                continue;
            }

            Assert.Equal((uint)e.BinaryType!.Value, a.BinaryType);
            switch (e.BinaryType)
            {
                case 1:
                    Assert.Equal(e.Raw["image_type"]!.GetValue<int>(), (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.Binary.AsSpan(4)));
                    Assert.Equal(0xFF, a.Binary![8]);
                    break;
                case 3:
                    var n = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.Binary.AsSpan(4));
                    Assert.Equal(e.Raw["node_id"]!.GetValue<string>(), Encoding.UTF8.GetString(a.Binary!, 8, n));
                    Assert.Equal(e.Raw["text"]!.GetValue<string>(), Encoding.UTF8.GetString(a.Binary!, 8 + n, a.Binary!.Length - 8 - n));
                    break;
                case 4:
                    Assert.Equal(Capture.Shape(e.Raw["metadata"]), Capture.BinaryMetadataShape(a.Binary!));
                    var m = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.Binary.AsSpan(4));
                    var meta = JsonNode.Parse(Encoding.UTF8.GetString(a.Binary!, 8, m))!;
                    Assert.Equal(e.Raw["metadata"]!["image_type"]!.GetValue<string>(), meta["image_type"]!.GetValue<string>());
                    Assert.Equal(0x89, a.Binary![8 + m]);
                    break;
            }
        }
    }

    private async Task<List<WsFrame>> RunAsync(string scenario, bool flags = false)
    {
        var expected = Capture.Load(scenario);
        await using var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, "test", Ct);
        var frames = new List<WsFrame> { await ws.NextAsync(Ct) };
        if (flags)
        {
            await ws.SendTextAsync("""{"type":"feature_flags","data":{"supports_preview_metadata":true}}""", Ct);
            frames.Add(await ws.NextAsync(Ct));
        }

        var id = await QueuePromptAsync(Capture.Prompt(scenario));
        frames.AddRange(await ws.UntilDoneAsync(id, Ct));
        AssertSameTranscript(expected, frames);
        return frames;
    }

    [Fact]
    public async Task Connect_without_client_id_gets_a_generated_sid()
    {
        var expected = Capture.Load("ws_connect_without_client_id");
        await using var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, null, Ct);
        var status = await ws.NextAsync(Ct);
        AssertSameTranscript(expected, [status]);
        Assert.Matches("^[0-9a-f]{32}$", status.Data!["sid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Feature_flags_handshake_matches_the_capture()
    {
        var expected = Capture.Load("ws_connect_feature_flags");
        await using var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, "test", Ct);
        var frames = new List<WsFrame> { await ws.NextAsync(Ct) };
        await ws.SendTextAsync("""{"type":"feature_flags","data":{"supports_preview_metadata":true}}""", Ct);
        frames.Add(await ws.NextAsync(Ct));
        AssertSameTranscript(expected, frames);
        Assert.Equal(expected[1].Data!.ToJsonString(), frames[1].Data!.ToJsonString());
        Assert.True(Server.ReceivedFeatureFlags.Single()["supports_preview_metadata"]!.GetValue<bool>());
    }

    [Fact]
    public Task Empty_image_save() => RunAsync("ws_empty_image_save");

    [Fact]
    public async Task Empty_image_save_cached()
    {
        await RunAsync("ws_empty_image_save");
        var frames = await RunAsync("ws_empty_image_save_cached");
        var first = frames.First(f => f.Type == "executed");
        Assert.Equal("empty_00001_.png", first.Data!["output"]!["images"]![0]!["filename"]!.GetValue<string>());
    }

    [Fact]
    public async Task Load_uploaded_image_then_preview()
    {
        var uploaded = await UploadAsync(Fixture.HttpBytes("upload_source.png"), "sdk_test_upload.png", "sdk_test", overwrite: true);
        Assert.Equal(Fixture.Http("upload_image.json").Replace(" ", string.Empty, StringComparison.Ordinal), uploaded.ToJsonString());
        var frames = await RunAsync("ws_load_uploaded_preview_image");
        var image = frames.Single(f => f.Type == "executed").Data!["output"]!["images"]![0]!;
        Assert.Equal("temp", image["type"]!.GetValue<string>());
        Assert.Matches("^ComfyUI_temp_[a-z]{5}_00001_.png$", image["filename"]!.GetValue<string>());
    }

    [Fact]
    public Task Sdk_progress_legacy_preview() => RunAsync("ws_sdk_progress_legacy_preview");

    [Fact]
    public async Task Sdk_progress_cached()
    {
        await RunAsync("ws_sdk_progress_legacy_preview");
        await RunAsync("ws_sdk_progress_cached");
    }

    [Fact]
    public Task Sdk_progress_preview_metadata() => RunAsync("ws_sdk_progress_preview_metadata", flags: true);

    [Fact]
    public async Task Execution_error()
    {
        var frames = await RunAsync("ws_execution_error");
        var error = frames.Single(f => f.Type == "execution_error").Data!;
        Assert.Equal("ValueError", error["exception_type"]!.GetValue<string>());
        Assert.Equal("boom from SdkTestRaiseError\n", error["exception_message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jobs_cancel_interrupts_the_running_prompt()
    {
        var expected = Capture.Load("ws_jobs_cancel");
        await using var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, "test", Ct);
        var frames = new List<WsFrame> { await ws.NextAsync(Ct) };
        var id = await QueuePromptAsync(Capture.Prompt("ws_jobs_cancel"));
        frames.AddRange(await ws.UntilAsync(f => f.Type == "executing", Ct));
        var (status, body, _) = await PostJsonAsync($"/api/jobs/{id}/cancel", string.Empty);
        Assert.Equal(200, status);
        Assert.True(body!["cancelled"]!.GetValue<bool>());
        frames.AddRange(await ws.UntilDoneAsync(id, Ct));
        AssertSameTranscript(expected, frames);
        var (_, job) = await GetJsonAsync($"/api/jobs/{id}");
        Assert.Equal("cancelled", job!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Interrupt_with_a_pending_prompt_deleted()
    {
        static List<string> Normalize(IEnumerable<(string Name, JsonNode? Data)> frames)
        {
            var result = new List<string>();
            var seenProgress = false;
            foreach (var (name, data) in frames)
            {
                if (seenProgress && name is "progress" or "progress_state")
                {
                    continue;
                }

                seenProgress |= name == "progress";
                var item = name == "status" ? $"status{data!["status"]!["exec_info"]!["queue_remaining"]}{(data["sid"] is null ? string.Empty : "+sid")}" : name;
                if (result.Count == 0 || result[^1] != item || name != "status")
                {
                    result.Add(item);
                }
            }

            return result;
        }

        var expected = Capture.Load("ws_execution_interrupted");
        var prompt = Capture.Prompt("ws_execution_interrupted");
        await using var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, "test", Ct);
        var frames = new List<WsFrame> { await ws.NextAsync(Ct) };
        var id = await QueuePromptAsync(prompt);
        frames.AddRange(await ws.UntilAsync(f => f.Type == "progress", Ct));
        var second = await QueuePromptAsync(prompt);
        frames.AddRange(await ws.UntilAsync(f => f.Type == "status", Ct));
        Assert.Equal(200, (await PostJsonAsync("/queue", $$"""{"delete":["{{second}}"]}""")).Status);
        frames.AddRange(await ws.UntilAsync(f => f.Type == "status", Ct));
        Assert.Equal(200, (await PostJsonAsync("/interrupt", $$"""{"prompt_id":"{{id}}"}""")).Status);
        frames.AddRange(await ws.UntilDoneAsync(id, Ct));
        Assert.Equal(
            string.Join(" ", Normalize(expected.Select(e => (e.Type!, e.Data)))),
            string.Join(" ", Normalize(frames.Select(f => (f.Type!, f.Data)))));
        foreach (var type in new[] { "execution_interrupted", "progress", "progress_state", "executing" })
        {
            Assert.Equal(Capture.Shape(expected.First(e => e.Type == type).Data), Capture.Shape(frames.First(f => f.Type == type).Data));
        }

        var (_, history) = await GetJsonAsync($"/history/{id}");
        Assert.Equal(Capture.ValuesShape(JsonNode.Parse(Fixture.Http("history_entry_interrupted.json"))), Capture.ValuesShape(history));
    }
}
