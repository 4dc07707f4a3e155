using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>One received frame: a parsed text message or a binary frame.</summary>
internal sealed record WsFrame(string? Type, JsonObject? Message, byte[]? Binary)
{
    public JsonNode? Data => Message?["data"];

    public uint BinaryType => BinaryPrimitives.ReadUInt32BigEndian(Binary);

    public override string ToString() => Type ?? $"binary{BinaryType}";
}

/// <summary>A raw ClientWebSocket that records every frame into a channel (independent of the SDK).</summary>
internal sealed class WsRecorder : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = Waits.Deadline;
    private readonly ClientWebSocket socket = new();
    private readonly Channel<WsFrame> frames = Channel.CreateUnbounded<WsFrame>();
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    public TaskCompletionSource<WebSocketCloseStatus?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<WsRecorder> ConnectAsync(Uri baseAddress, string? clientId, CancellationToken ct, string path = "ws")
    {
        var recorder = new WsRecorder();
        var uri = new UriBuilder(baseAddress) { Scheme = "ws", Path = path, Query = clientId is null ? string.Empty : "clientId=" + clientId }.Uri;
        await recorder.socket.ConnectAsync(uri, ct).WaitAsync(Deadline, ct);
        recorder.loop = Task.Run(recorder.ReceiveLoopAsync);
        return recorder;
    }

    public Task SendTextAsync(string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct).WaitAsync(Deadline, ct);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, stop.Token);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Closed.TrySetResult(result.CloseStatus);
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    var obj = JsonNode.Parse(message.ToArray())!.AsObject();
                    frames.Writer.TryWrite(new WsFrame(obj["type"]!.GetValue<string>(), obj, null));
                }
                else
                {
                    frames.Writer.TryWrite(new WsFrame(null, null, message.ToArray()));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Closed.TrySetResult(null);
        }
        finally
        {
            frames.Writer.TryComplete();
        }
    }

    public async Task<WsFrame> NextAsync(CancellationToken ct) => await frames.Reader.ReadAsync(ct).AsTask().WaitAsync(Deadline, ct);

    /// <summary>Reads frames until one matches; returns everything read, including the match.</summary>
    public async Task<List<WsFrame>> UntilAsync(Func<WsFrame, bool> predicate, CancellationToken ct)
    {
        var list = new List<WsFrame>();
        while (true)
        {
            var frame = await NextAsync(ct);
            list.Add(frame);
            if (predicate(frame))
            {
                return list;
            }
        }
    }

    public Task<List<WsFrame>> UntilDoneAsync(string promptId, CancellationToken ct) =>
        UntilAsync(f => f.Type == "executing" && f.Data!["node"] is null && f.Data["prompt_id"]?.GetValue<string>() == promptId, ct);

    /// <summary>True when nothing arrives before the server has flushed a later probe (used with care; prefer explicit signals).</summary>
    public bool TryRead(out WsFrame? frame) => frames.Reader.TryRead(out frame);

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        socket.Abort();
        if (loop is not null)
        {
            await loop.WaitAsync(Deadline);
        }

        socket.Dispose();
        stop.Dispose();
    }
}
