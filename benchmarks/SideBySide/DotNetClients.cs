using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ComfyUI.Client.SideBySide;

/// <summary>One client's way of doing each workload; <see langword="null"/> members mean "not supported".</summary>
internal interface IBenchClient : IAsyncDisposable
{
    string Name { get; }

    Task ObjectInfoAsync(int count);

    Task BurstAsync(int progress, int previews, int size);

    Task PromptsAsync(int count, int concurrency);

    Task DownloadAsync(long size);

    Task UploadAsync(long size);
}

/// <summary>The practical limit: HttpClient + JsonDocument, ClientWebSocket with a plain receive loop. No reliability features.</summary>
internal sealed class RawDotNetClient : IBenchClient
{
    private readonly Uri _base;
    private readonly HttpClient _http;
    private readonly string _clientId = "raw-" + Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
    private ClientWebSocket? _socket;
    private Task? _receiveLoop;
    private Action<ReadOnlyMemory<byte>, WebSocketMessageType>? _onMessage;

    public RawDotNetClient(Uri baseAddress)
    {
        _base = baseAddress;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name => "raw .NET";

    public async Task ObjectInfoAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await _http.GetAsync("object_info", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var document = await JsonDocument.ParseAsync(stream);
            if (!document.RootElement.TryGetProperty("KSampler", out _))
            {
                throw new InvalidOperationException("no KSampler");
            }
        }
    }

    public async Task BurstAsync(int progress, int previews, int size)
    {
        await EnsureSocketAsync();
        var seenProgress = 0;
        var seenPreviews = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _onMessage = (frame, type) =>
        {
            if (type == WebSocketMessageType.Binary)
            {
                // A typed preview owns its bytes: copy them out of the receive buffer.
                var image = frame[8..].ToArray();
                if (image.Length > 0)
                {
                    seenPreviews++;
                }

                return;
            }

            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            var messageType = root.GetProperty("type").GetString();
            var data = root.GetProperty("data");
            if (messageType == "progress")
            {
                var value = data.GetProperty("value").GetDouble();
                var max = data.GetProperty("max").GetDouble();
                if (max > 0 && value >= 0)
                {
                    seenProgress++;
                }
            }
            else if (messageType == "execution_success" && data.GetProperty("prompt_id").GetString() == BenchServer.BurstEndPromptId)
            {
                done.TrySetResult();
            }
        };
        await TriggerBurstAsync(_http, _clientId, progress, previews, size);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        _onMessage = null;
        Check(seenProgress == progress && seenPreviews == previews, $"burst: got {seenProgress} progress, {seenPreviews} previews");
    }

    public async Task PromptsAsync(int count, int concurrency)
    {
        await EnsureSocketAsync();
        _onMessage = OnPromptMessage;
        var body = Encoding.UTF8.GetBytes(SideBySideData.PromptJson);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
        {
            // The same order as a reliable client: socket first, own prompt id, registered before the POST.
            var promptId = Guid.NewGuid().ToString("D");
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[promptId] = finished;
            using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes(
                $$"""{"prompt": {{SideBySideData.PromptJson}}, "client_id": "{{_clientId}}", "prompt_id": "{{promptId}}"}""")))
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync("prompt", content);
                response.EnsureSuccessStatusCode();
            }

            await finished.Task.WaitAsync(TimeSpan.FromMinutes(1));
            using var history = await _http.GetAsync("history/" + promptId, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await history.Content.ReadAsStreamAsync();
            using var document = await JsonDocument.ParseAsync(stream);
            var entry = document.RootElement.GetProperty(promptId);
            Check(entry.GetProperty("status").GetProperty("status_str").GetString() == "success", "not successful");
            Check(entry.GetProperty("outputs").GetProperty("2").GetProperty("images").GetArrayLength() == 1, "no image");
        });
        _ = body;
    }

    private void OnPromptMessage(ReadOnlyMemory<byte> frame, WebSocketMessageType type)
    {
        if (type != WebSocketMessageType.Text)
        {
            return;
        }

        // ComfyUI writes the history entry after execution_success and before "executing" with no node: wait for the latter.
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        if (root.GetProperty("type").GetString() == "executing"
            && root.GetProperty("data") is var data
            && data.GetProperty("node").ValueKind == JsonValueKind.Null
            && data.GetProperty("prompt_id").GetString() is { } id
            && _waiting.TryRemove(id, out var finished))
        {
            finished.TrySetResult();
        }
    }

    public async Task DownloadAsync(long size)
    {
        using var response = await _http.GetAsync($"view?filename=big_{size}.png&type=output&subfolder=", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var counter = new CountingStream();
        await stream.CopyToAsync(counter);
        Check(counter.Count == size, $"downloaded {counter.Count} bytes");
    }

    public async Task UploadAsync(long size)
    {
        using var content = new MultipartFormDataContent();
        var file = new StreamContent(new GeneratedStream(size), 81920);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        content.Add(file, "image", "big.png");
        content.Add(new StringContent("input"), "type");
        content.Add(new StringContent("true"), "overwrite");
        using var response = await _http.PostAsync("upload/image", content);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Check(document.RootElement.GetProperty("name").GetString()!.StartsWith("upload_", StringComparison.Ordinal), "upload failed");
    }

    private async Task EnsureSocketAsync()
    {
        if (_socket is not null)
        {
            return;
        }

        var socket = new ClientWebSocket();
        var builder = new UriBuilder(new Uri(_base, "ws")) { Scheme = "ws", Query = "clientId=" + _clientId };
        await socket.ConnectAsync(builder.Uri, CancellationToken.None);
        _socket = socket;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(socket));
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket)
    {
        var buffer = new byte[128 * 1024];
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                count += result.Count;
                if (result.EndOfMessage)
                {
                    _onMessage?.Invoke(buffer.AsMemory(0, count), result.MessageType);
                    count = 0;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    internal static async Task TriggerBurstAsync(HttpClient http, string clientId, int progress, int previews, int size)
    {
        for (var i = 0; i < 500; i++)
        {
            using var response = await http.PostAsync($"bench/burst?clientId={clientId}&progress={progress}&previews={previews}&size={size}", null);
            if ((int)response.StatusCode == 202)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException("The server never saw the client's socket.");
    }

    internal static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is not null)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }

            await (_receiveLoop ?? Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _socket.Dispose();
        }

        _http.Dispose();
    }
}

/// <summary>The SDK: ComfyUIClient with its typed WebSocket, run tracker and streamed files.</summary>
internal sealed class SdkClient : IBenchClient
{
    private readonly ComfyUIClient _client;
    private readonly HttpClient _trigger;
    private readonly Workflow _workflow = Workflow.Parse(SideBySideData.PromptJson);

    public SdkClient(Uri baseAddress)
    {
        var options = new ComfyUIClientOptions { BaseAddress = baseAddress, ClientId = "sdk-" + Guid.NewGuid().ToString("N") };
        // Every preview of the burst is to be received: hold the socket back instead of dropping previews for a slow reader.
        options.WebSocket.DropPreviewsWhenFull = false;
        _client = new ComfyUIClient(options);
        _trigger = new HttpClient { BaseAddress = baseAddress };
    }

    public string Name => "ComfyUI.Client";

    public Task ObjectInfoAsync(int count) => SdkObjectInfo.RunAsync(_client, count);

    public async Task BurstAsync(int progress, int previews, int size)
    {
        await using var socket = await _client.ConnectWebSocketAsync();
        var seenProgress = 0;
        var seenPreviews = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Reading starts before the burst is triggered: the handle's own stream stops buffering at ChannelCapacity until someone reads it, so
        // a first read that came after the trigger could lose messages on a busy machine.
        await using var messages = socket.ReadAllAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = messages.MoveNextAsync();
        var trigger = RawDotNetClient.TriggerBurstAsync(_trigger, _client.ClientId, progress, previews, size);
        while (await next)
        {
            switch (messages.Current)
            {
                case ProgressMessage { Max: > 0 }:
                    seenProgress++;
                    break;
                case PreviewImageMessage { Image.Length: > 0 }:
                    seenPreviews++;
                    break;
                case ExecutionSuccessMessage { PromptId: BenchServer.BurstEndPromptId }:
                    await trigger;
                    RawDotNetClient.Check(seenProgress == progress && seenPreviews == previews, $"burst: got {seenProgress} progress, {seenPreviews} previews");
                    return;
            }

            next = messages.MoveNextAsync();
        }

        throw new InvalidOperationException("The socket ended before the burst did.");
    }

    public async Task PromptsAsync(int count, int concurrency)
    {
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
        {
            var result = await _client.RunAsync(_workflow);
            RawDotNetClient.Check(result.Outputs["2"].Images.Count == 1, "no image");
        });
    }

    public async Task DownloadAsync(long size)
    {
        var counter = new CountingStream();
        await _client.Files.DownloadAsync(new OutputFile { Filename = $"big_{size}.png", Type = "output", Subfolder = "" }, counter);
        RawDotNetClient.Check(counter.Count == size, $"downloaded {counter.Count} bytes");
    }

    public async Task UploadAsync(long size)
    {
        var result = await _client.Files.UploadImageAsync(new GeneratedStream(size), "big.png", new UploadOptions { Overwrite = true });
        RawDotNetClient.Check(result.Name.StartsWith("upload_", StringComparison.Ordinal), "upload failed");
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _trigger.Dispose();
    }
}

/// <summary>Data shared by the clients.</summary>
internal static class SideBySideData
{
    /// <summary>The real EmptyImage → SaveImage prompt of the captures.</summary>
    public const string PromptJson =
        """{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 48, "batch_size": 1, "color": 3368652}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "sdk_test/empty"}}}""";
}

/// <summary>A write-only sink that counts bytes.</summary>
internal sealed class CountingStream : Stream
{
    public long Count { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Count;

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Count += count;

    public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Count += count;
        return Task.CompletedTask;
    }
}

/// <summary>A readable, seekable stream of <c>size</c> generated bytes (nothing is held in memory but one small pattern).</summary>
internal sealed class GeneratedStream(long size) : Stream
{
    private static readonly byte[] Pattern = CreatePattern();
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => size;

    public override long Position { get => _position; set => _position = value; }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, size - _position);
        for (var written = 0; written < n;)
        {
            var start = (int)((_position + written) % Pattern.Length);
            var chunk = Math.Min(n - written, Pattern.Length - start);
            Pattern.AsSpan(start, chunk).CopyTo(buffer[written..]);
            written += chunk;
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => size + offset,
    };

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static byte[] CreatePattern()
    {
        var pattern = new byte[64 * 1024 + 7];
        new Random(5).NextBytes(pattern);
        return pattern;
    }
}
