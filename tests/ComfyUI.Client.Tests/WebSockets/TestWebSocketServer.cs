using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using ComfyUI.Client.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Tests.WebSockets;

/// <summary>A Kestrel WebSocket server on 127.0.0.1:0 that runs a script per connection.</summary>
internal sealed class TestWebSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _attempts;

    private TestWebSocketServer(WebApplication app) => _app = app;

    /// <summary>Every accepted connection, in order.</summary>
    public Channel<ServerConnection> Connections { get; } = Channel.CreateUnbounded<ServerConnection>();

    /// <summary>Every upgrade request (accepted or refused): path and query.</summary>
    public ConcurrentQueue<(string Path, string Query, IHeaderDictionary Headers)> Requests { get; } = new();

    /// <summary>Whether GET /prompt answers (the liveness probe of the frame watchdog).</summary>
    public bool AnswerPrompt { get; set; }

    /// <summary>One item per answered GET /prompt.</summary>
    public Channel<bool> Probes { get; } = Channel.CreateUnbounded<bool>();

    /// <summary>How many upgrade requests arrived.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Returns a status code to refuse upgrade number n (0-based), or null to accept.</summary>
    public Func<int, int?> Refuse { get; set; } = _ => null;

    public static async Task<TestWebSocketServer> StartAsync(Func<ServerConnection, Task> script, string basePath = "/")
    {
        var app = LoopbackHost.CreateBuilder().Build();
        var server = new TestWebSocketServer(app);
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (context.Request.Path.Value!.EndsWith("/prompt", StringComparison.Ordinal) && server.AnswerPrompt)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"exec_info": {"queue_remaining": 0}}""");
                server.Probes.Writer.TryWrite(true);
                return;
            }

            if (!context.Request.Path.Value!.EndsWith("/ws", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404;
                return;
            }

            var index = Interlocked.Increment(ref server._attempts) - 1;
            server.Requests.Enqueue((context.Request.Path.Value, context.Request.QueryString.Value ?? "", context.Request.Headers));
            if (server.Refuse(index) is { } status)
            {
                context.Response.StatusCode = status;
                return;
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var connection = new ServerConnection(context, socket, index);
            connection.FirstMessage = await connection.ReceiveTextAsync();
            server.Connections.Writer.TryWrite(connection);
            try
            {
                await script(connection);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
            }
            finally
            {
                connection.Ended.TrySetResult();
            }
        });
        server.BaseAddress = new Uri(await LoopbackHost.StartAsync(app), basePath);
        return server;
    }

    public async Task<ServerConnection> NextConnectionAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Waits.Deadline);
        return await Connections.Reader.ReadAsync(deadline.Token);
    }

    public ComfyUIClient CreateClient(Action<ComfyUIClientOptions>? configure = null, TimeProvider? time = null, bool forceFrameWatchdog = false)
    {
        var options = new ComfyUIClientOptions { BaseAddress = BaseAddress, ClientId = "test-client" };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(10);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(100);
        options.WebSocket.RefusedRetryDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options);
        return new ComfyUIClient(options)
        {
            TimeProvider = time ?? TimeProvider.System,
            WebSocketHooks = new() { ForceFrameWatchdog = forceFrameWatchdog },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One accepted server-side socket.</summary>
internal sealed class ServerConnection(HttpContext context, WebSocket socket, int index)
{
    public HttpContext Context { get; } = context;

    public WebSocket Socket { get; } = socket;

    public int Index { get; } = index;

    /// <summary>The client's first text message (the feature flags handshake).</summary>
    public string? FirstMessage { get; set; }

    /// <summary>Set when the script of this connection ended (the client closed or aborted, or the script returned).</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the client's Close frame arrived.</summary>
    public TaskCompletionSource ClientClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task SendTextAsync(string text) => Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) => Socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendStatusAsync(int queueRemaining, string? sid = null) =>
        SendTextAsync(sid is null
            ? "{\"type\":\"status\",\"data\":{\"status\":{\"exec_info\":{\"queue_remaining\":" + queueRemaining + "}}}}"
            : "{\"type\":\"status\",\"data\":{\"status\":{\"exec_info\":{\"queue_remaining\":" + queueRemaining + "}},\"sid\":\"" + sid + "\"}}");

    public async Task<string?> ReceiveTextAsync()
    {
        var buffer = new byte[64 * 1024];
        using var stream = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ClientClosed.TrySetResult();
                return null;
            }

            stream.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }
    }

    /// <summary>Reads (answering pings) until the client closes, then completes the close handshake.</summary>
    public async Task RunUntilClosedAsync()
    {
        while (await ReceiveTextAsync() is not null)
        {
        }

        if (Socket.State == WebSocketState.CloseReceived)
        {
            await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
    }

    /// <summary>Drops the TCP connection without a close frame.</summary>
    public void Abort() => Context.Abort();
}
