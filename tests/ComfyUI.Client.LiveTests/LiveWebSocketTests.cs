namespace ComfyUI.Client.LiveTests;

/// <summary>Every message type of a real run comes out typed, the three binary frames included.</summary>
public sealed class LiveWebSocketTests
{
    private static Workflow Progress(ulong seed, string format) => new WorkflowBuilder()
        .Add("SdkTestProgressImage", out var image, n => n.Set("steps", 2).Set("delay_seconds", 0.0).Set("width", 16).Set("height", 16)
            .Set("preview_format", format).Set("send_progress_text", true).Set("seed", seed))
        .Add("PreviewImage", n => n.SetLink("images", image, 0))
        .Build();

    private static async Task<List<ComfyMessage>> CollectAsync(ComfyWebSocket socket, string promptId)
    {
        var messages = new List<ComfyMessage>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Live.Ct);
        deadline.CancelAfter(Live.Deadline);
        await foreach (var message in socket.ReadAllAsync(deadline.Token))
        {
            messages.Add(message);
            if (message is ExecutingMessage { Node: null } done && done.PromptId == promptId)
            {
                return messages;
            }
        }

        return messages;
    }

    [Fact]
    public async Task A_run_with_preview_metadata_yields_every_typed_message_in_order()
    {
        await using var client = Live.Client();
        await using var socket = await client.ConnectWebSocketAsync(Live.Ct);
        var queued = await client.Queue.QueuePromptAsync(Progress(Live.FreshSeed(), "PNG").ToRequest(), Live.Ct);
        var messages = await CollectAsync(socket, queued.PromptId);
        await Live.ForgetAsync(client, queued.PromptId);

        Assert.IsType<ConnectedMessage>(messages[0]);
        Assert.Contains(messages, m => m is FeatureFlagsMessage { SupportsPreviewMetadata: true });
        var ofPrompt = messages.Where(m => m.PromptId == queued.PromptId).ToList();
        Assert.IsType<ExecutionStartMessage>(ofPrompt[0]);
        Assert.IsType<ExecutionCachedMessage>(ofPrompt[1]);
        Assert.Contains(ofPrompt, m => m is ProgressStateMessage);
        Assert.Contains(ofPrompt, m => m is ProgressMessage { Max: 2 });
        Assert.Equal(2, ofPrompt.OfType<PreviewImageWithMetadataMessage>().Count(p => p.MimeType == "image/png" && p.NodeId == "1"));
        Assert.Contains(ofPrompt, m => m is ExecutedMessage { Node: "2" } e && e.Output.Images.Count == 1);
        Assert.IsType<ExecutionSuccessMessage>(ofPrompt[^2]);
        Assert.Contains(messages, m => m is ProgressTextMessage { NodeId: "1", Text: "step 2/2" });
        Assert.DoesNotContain(messages, m => m is ProtocolErrorMessage or UnknownMessage or UnknownBinaryMessage);
    }

    [Fact]
    public async Task Without_the_metadata_flag_the_server_sends_legacy_type_1_jpeg_frames()
    {
        // ComfyWebSocket always negotiates metadata, so a raw socket stands for an old client here; the SDK's parsing of type 1
        // frames is covered by the capture tests.
        var clientId = "live-legacy-" + Guid.NewGuid().ToString("N");
        await using var client = Live.Client(clientId);
        using var raw = new System.Net.WebSockets.ClientWebSocket();
        var wsUri = new UriBuilder(Live.Url!) { Scheme = Live.Url!.Scheme == "https" ? "wss" : "ws", Path = "ws", Query = "clientId=" + clientId }.Uri;
        await raw.ConnectAsync(wsUri, Live.Ct);
        var queued = await client.Queue.QueuePromptAsync(Progress(Live.FreshSeed(), "JPEG").ToRequest(), Live.Ct);
        var frames = new List<byte[]>();
        var buffer = new byte[1 << 20];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Live.Ct);
        deadline.CancelAfter(Live.Deadline);
        while (true)
        {
            var received = await raw.ReceiveAsync(buffer, deadline.Token);
            Assert.True(received.EndOfMessage, "frames fit the buffer");
            if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Binary)
            {
                frames.Add(buffer[..received.Count]);
            }
            else if (System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count) is var text
                && text.Contains("\"executing\"", StringComparison.Ordinal) && text.Contains("\"node\": null", StringComparison.Ordinal))
            {
                break;
            }
        }

        await raw.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", Live.Ct);
        await Live.ForgetAsync(client, queued.PromptId);

        var previews = frames.Where(f => f[3] == 1).ToArray();
        Assert.Equal(2, previews.Length);
        Assert.All(previews, f => Assert.Equal<byte>([0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xD8], f[..10]));   // PREVIEW_IMAGE, JPEG, SOI
        Assert.Contains(frames, f => f[3] == 3);                                                            // TEXT
    }
}
