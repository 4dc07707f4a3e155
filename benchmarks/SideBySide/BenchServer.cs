using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ComfyUI.Client.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.SideBySide;

/// <summary>
/// A small purpose-built ComfyUI look-alike for the benchmark, run in its own process so its work and garbage do not land in the measured
/// clients: serves the fixed real <c>/object_info</c> body, answers <c>POST /prompt</c> and sends the prompt's real WebSocket events at once
/// (after the answer), serves <c>/history/{id}</c>, a generated <c>/view</c> stream, accepts <c>/upload/image</c>, and bursts WebSocket
/// messages on demand (<c>POST /bench/burst</c>). Every route also answers under <c>/api</c>.
/// </summary>
internal static class BenchServer
{
    public const string BurstEndPromptId = "burst-end";
    private const string TemplatePromptId = "2577599a-889c-4c05-a9f6-045639f9b747";

    private static readonly ConcurrentDictionary<string, Connection> Sockets = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte[]> History = new(StringComparer.Ordinal);
    private static byte[] _objectInfo = [];
    private static string[] _eventTemplates = [];
    private static string _historyTemplate = "";
    private static int _number;
    private static int _executionMilliseconds;
    private static int _historyMisses;
    private static readonly ConcurrentDictionary<string, int> Pending = new(StringComparer.Ordinal);
    private static volatile Tuple<string, int>? _runningBox;

    private static (string Id, int Number)? _running
    {
        get => _runningBox is { } box ? (box.Item1, box.Item2) : null;
        set => _runningBox = value is { } v ? Tuple.Create(v.Id, v.Number) : null;
    }
    private static readonly System.Threading.Channels.Channel<Func<Task>> Executor = System.Threading.Channels.Channel.CreateUnbounded<Func<Task>>(new() { SingleReader = true });

    public static async Task RunAsync(string dataFolder)
    {
        _objectInfo = await File.ReadAllBytesAsync(Path.Combine(dataFolder, "object_info.json"));
        _historyTemplate = (await File.ReadAllTextAsync(Path.Combine(dataFolder, "history_entry_empty_image.json"))).Trim();
        var events = new List<string>();
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(dataFolder, "ws_empty_image_save.jsonl")))
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("frame").GetString() == "text")
            {
                events.Add(document.RootElement.GetProperty("raw").GetString()!);
            }
        }

        _eventTemplates = events.Skip(1).ToArray(); // the first is the connect status with the sid

        var builder = LoopbackHost.CreateBuilder(configureKestrel: options =>
        {
            options.Limits.MaxRequestBodySize = null;
            options.AddServerHeader = false;
        });
        _ = Task.Run(async () =>
        {
            await foreach (var execute in Executor.Reader.ReadAllAsync())
            {
                await execute();
            }
        });
        await using var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(HandleAsync);
        var address = (await LoopbackHost.StartAsync(app)).ToString().TrimEnd('/');
        Console.WriteLine("LISTENING " + address);
        Console.Out.Flush();

        // Stop when the parent closes our stdin (or dies).
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync();
    }

    private static Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            path = path[4..];
        }

        var method = context.Request.Method;
        return (method, path) switch
        {
            ("GET", "/ws") => WebSocketAsync(context),
            ("GET", "/object_info") => WriteAsync(context, _objectInfo),
            ("GET", _) when path.StartsWith("/object_info/", StringComparison.Ordinal) => WriteAsync(context, "{}"u8.ToArray()),
            ("POST", "/prompt") => PromptAsync(context),
            ("GET", "/prompt") => WriteAsync(context, """{"exec_info": {"queue_remaining": 0}}"""u8.ToArray()),
            ("GET", "/queue") => WriteAsync(context, QueueBody()),
            ("GET", "/system_stats") => WriteAsync(context, """{"system": {"os": "posix", "comfyui_version": "0.3.0", "python_version": "3.12", "embedded_python": false}, "devices": []}"""u8.ToArray()),
            ("GET", "/view") => ViewAsync(context),
            ("POST", "/upload/image") => UploadAsync(context),
            ("POST", "/bench/burst") => BurstAsync(context),
            ("POST", "/bench/config") => ConfigureAsync(context),
            ("POST", "/bench/reset") => ResetAsync(context),
            ("GET", "/bench/stats") => WriteAsync(context, Encoding.UTF8.GetBytes($$$"""{"history_misses": {{{_historyMisses}}}}""")),
            ("GET", _) when path.StartsWith("/history/", StringComparison.Ordinal) => HistoryAsync(context, path["/history/".Length..]),
            _ => NotFound(context),
        };
    }

    private static byte[] QueueBody()
    {
        static string Item(string id, int number) => $$$"""[{{{number}}}, "{{{id}}}", {}, {}, ["2"]]""";
        var running = _running is { } r ? Item(r.Id, r.Number) : "";
        var pending = string.Join(", ", Pending.Select(p => Item(p.Key, p.Value)));
        return Encoding.UTF8.GetBytes($$$"""{"queue_running": [{{{running}}}], "queue_pending": [{{{pending}}}]}""");
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    private static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static async Task WebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var clientId = context.Request.Query["clientId"].ToString();
        if (clientId.Length == 0)
        {
            clientId = Guid.NewGuid().ToString("N");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket);
        Sockets[clientId] = connection;
        await connection.SendTextAsync(Encoding.UTF8.GetBytes($$$"""{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": "{{{clientId}}}"}}"""));
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }

                // feature_flags from the client: answer like the real server does.
                if (result.MessageType == WebSocketMessageType.Text && result.EndOfMessage
                    && buffer.AsSpan(0, result.Count).IndexOf("feature_flags"u8) >= 0)
                {
                    await connection.SendTextAsync("""{"type": "feature_flags", "data": {"supports_preview_metadata": true, "max_upload_size": 104857600}}"""u8.ToArray());
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            Sockets.TryRemove(new KeyValuePair<string, Connection>(clientId, connection));
        }
    }

    private static async Task PromptAsync(HttpContext context)
    {
        string? promptId = null;
        string? clientId = null;
        using (var document = await JsonDocument.ParseAsync(context.Request.Body))
        {
            var root = document.RootElement;
            if (root.TryGetProperty("prompt_id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                promptId = id.GetString();
            }

            if (root.TryGetProperty("client_id", out var client) && client.ValueKind == JsonValueKind.String)
            {
                clientId = client.GetString();
            }

            if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.Object)
            {
                context.Response.StatusCode = 400;
                await WriteAsync(context, """{"error": {"type": "no_prompt", "message": "No prompt provided", "details": "", "extra_info": {}}, "node_errors": {}}"""u8.ToArray());
                return;
            }
        }

        promptId ??= Guid.NewGuid().ToString("D");
        var number = Interlocked.Increment(ref _number);
        var history = Encoding.UTF8.GetBytes(_historyTemplate.Replace(TemplatePromptId, promptId, StringComparison.Ordinal));
        var frames = _eventTemplates.Select(e => Encoding.UTF8.GetBytes(e.Replace(TemplatePromptId, promptId, StringComparison.Ordinal))).ToArray();
        Sockets.TryGetValue(clientId ?? "", out var connection);
        Pending[promptId] = number;

        // One prompt executes at a time, as in ComfyUI, each as soon as its POST has been answered (after the configured execution time).
        // As in ComfyUI, the history entry is stored after execution_success was sent and before the final status / executing(null).
        context.Response.OnCompleted(() => Executor.Writer.WriteAsync(async () =>
        {
            Pending.TryRemove(promptId, out _);
            _running = (promptId, number);
            var delay = _executionMilliseconds;
            if (delay > 0)
            {
                await Task.Delay(delay);
            }

            foreach (var frame in frames)
            {
                if (connection is not null)
                {
                    await connection.SendTextAsync(frame);
                }

                if (frame.AsSpan().IndexOf("\"execution_success\""u8) >= 0)
                {
                    History[promptId] = history;
                    _running = null;
                }
            }
        }).AsTask());

        await WriteAsync(context, Encoding.UTF8.GetBytes($$$"""{"prompt_id": "{{{promptId}}}", "number": {{{number}}}, "node_errors": {}}"""));
    }

    /// <summary><c>POST /bench/config?executionMs=N</c>: how long a prompt "executes" before its events are sent (0 = instantly).</summary>
    private static Task ConfigureAsync(HttpContext context)
    {
        _executionMilliseconds = int.Parse(context.Request.Query["executionMs"].ToString(), CultureInfo.InvariantCulture);
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary><c>POST /bench/reset</c>: forgets the history, so every measured run finds the server in the same state.</summary>
    private static Task ResetAsync(HttpContext context)
    {
        History.Clear();
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static Task HistoryAsync(HttpContext context, string promptId)
    {
        promptId = Uri.UnescapeDataString(promptId);
        if (History.TryGetValue(promptId, out var entry))
        {
            return WriteAsync(context, entry);
        }

        Interlocked.Increment(ref _historyMisses);
        return WriteAsync(context, "{}"u8.ToArray());
    }

    private static async Task ViewAsync(HttpContext context)
    {
        // big_<bytes>.png: a generated file of that size (200 MB otherwise).
        var name = context.Request.Query["filename"].ToString();
        var size = name.StartsWith("big_", StringComparison.Ordinal) && name.EndsWith(".png", StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(4, name.Length - 8), NumberStyles.None, CultureInfo.InvariantCulture, out var requested)
            ? requested
            : 200L * 1024 * 1024;
        context.Response.ContentType = "image/png";
        context.Response.ContentLength = size;
        var chunk = new byte[64 * 1024];
        new Random(1).NextBytes(chunk);
        var body = context.Response.Body;
        for (long sent = 0; sent < size; sent += chunk.Length)
        {
            await body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - sent)), context.RequestAborted);
        }
    }

    private static async Task UploadAsync(HttpContext context)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            total += read;
        }

        await WriteAsync(context, Encoding.UTF8.GetBytes($$$"""{"name": "upload_{{{total}}}.png", "subfolder": "", "type": "input"}"""));
    }

    /// <summary>Sends <c>progress</c> messages and then preview frames to one client, then an <c>execution_success</c> for <see cref="BurstEndPromptId"/>.</summary>
    private static async Task BurstAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var clientId = query["clientId"].ToString();
        var progress = int.Parse(query["progress"].ToString(), CultureInfo.InvariantCulture);
        var previews = int.Parse(query["previews"].ToString(), CultureInfo.InvariantCulture);
        var size = int.Parse(query["size"].ToString(), CultureInfo.InvariantCulture);
        if (!Sockets.TryGetValue(clientId, out var connection))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.StatusCode = 202;
        context.Response.ContentLength = 0;
        await context.Response.CompleteAsync();

        const string PromptId = "0d9c6a52-5a4f-4bd3-9e1b-6f0f3d1c2b7a";
        var frames = new byte[100][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = Encoding.UTF8.GetBytes($$$"""{"type": "progress", "data": {"value": {{{i + 1}}}, "max": 100, "prompt_id": "{{{PromptId}}}", "node": "3"}}""");
        }

        var preview = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(preview, 1); // PREVIEW_IMAGE
        BinaryPrimitives.WriteUInt32BigEndian(preview.AsSpan(4), 1); // JPEG
        new Random(3).NextBytes(preview.AsSpan(8));
        preview[8] = 0xFF;
        preview[9] = 0xD8;

        await connection.Gate.WaitAsync();
        try
        {
            for (var i = 0; i < progress; i++)
            {
                await connection.Socket.SendAsync(frames[i % frames.Length], WebSocketMessageType.Text, true, CancellationToken.None);
            }

            for (var i = 0; i < previews; i++)
            {
                await connection.Socket.SendAsync(preview, WebSocketMessageType.Binary, true, CancellationToken.None);
            }

            await connection.Socket.SendAsync(
                Encoding.UTF8.GetBytes($$$"""{"type": "execution_success", "data": {"prompt_id": "{{{BurstEndPromptId}}}", "timestamp": 1795888119125}}"""),
                WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            connection.Gate.Release();
        }
    }

    private sealed class Connection(WebSocket socket)
    {
        public WebSocket Socket { get; } = socket;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public async Task SendTextAsync(byte[] frame)
        {
            await Gate.WaitAsync();
            try
            {
                if (Socket.State == WebSocketState.Open)
                {
                    await Socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
            }
            finally
            {
                Gate.Release();
            }
        }
    }
}
