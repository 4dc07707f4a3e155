using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Tests.Runs;

/// <summary>
/// A ComfyUI stand-in whose every answer a test scripts: the WebSocket, POST /prompt, /queue, /history and /interrupt, so run-tracker
/// edge cases (a prompt that finishes before the POST returns, a socket that drops or goes silent, a restart) can be staged exactly.
/// </summary>
internal sealed class ScriptedComfyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, WebSocket> _sockets = new();
    private readonly ConcurrentDictionary<string, HttpContext> _contexts = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private ScriptedComfyServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Handles POST /api/prompt: gets the body, returns status and body. Default: 200 with the prompt id.</summary>
    public Func<JsonObject, HttpContext, Task<(int Status, string Body)>> OnPrompt { get; set; } = (body, _) =>
        Task.FromResult((200, $$$"""{"prompt_id": "{{{body["prompt_id"]}}}", "number": 1, "node_errors": {}}"""));

    /// <summary>The prompt id of the last POST /prompt accepted by <see cref="AcceptPrompts"/>.</summary>
    public string? LastPromptId { get; private set; }

    /// <summary>Accepts every prompt into queue_running (or queue_pending) and remembers its id.</summary>
    public void AcceptPrompts(bool running = true) => OnPrompt = (body, _) =>
    {
        var id = body["prompt_id"]!.GetValue<string>();
        LastPromptId = id;
        (running ? Running : Pending)[id] = true;
        return Task.FromResult((200, Accepted(id)));
    };

    /// <summary>The 200 answer of POST /prompt for a prompt id.</summary>
    public static string Accepted(string promptId) => $$$"""{"prompt_id": "{{{promptId}}}", "number": 1, "node_errors": {}}""";

    /// <summary>History entries by prompt id (the JSON of one entry).</summary>
    public ConcurrentDictionary<string, string> History { get; } = new();

    /// <summary>The prompt ids in queue_running.</summary>
    public ConcurrentDictionary<string, bool> Running { get; } = new();

    /// <summary>How many times each prompt's history entry was asked for.</summary>
    public ConcurrentDictionary<string, int> HistoryReads { get; } = new();

    /// <summary>The prompt ids in queue_pending.</summary>
    public ConcurrentDictionary<string, bool> Pending { get; } = new();

    /// <summary>The bodies of POST /prompt, /queue and /interrupt, in order, as "route body".</summary>
    public ConcurrentQueue<string> Posts { get; } = new();

    /// <summary>Drop the connection of every GET /history/{id} (the server cannot be asked).</summary>
    public bool DropHistoryReads { get; set; }

    /// <summary>Refuse WebSocket upgrades with this status (null accepts).</summary>
    public int? RefuseUpgrades { get; set; }

    /// <summary>Counts upgrade requests.</summary>
    public int UpgradeAttempts;

    /// <summary>Signals each accepted socket, by client id.</summary>
    public event Action<string>? Connected;

    /// <summary>The Authorization header of every request (HTTP and WebSocket upgrade), as "path header".</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    public static async Task<ScriptedComfyServer> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var app = LoopbackHost.CreateBuilder(configureListen: listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }).Build();
        var server = new ScriptedComfyServer(app);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        server.BaseAddress = await LoopbackHost.StartAsync(app);
        return server;
    }

    public ComfyUIClient CreateClient(Action<ComfyUIClientOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new ComfyUIClientOptions { BaseAddress = BaseAddress, ClientId = "runs-test" };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        options.WebSocket.RefusedRetryDelay = TimeSpan.FromSeconds(30);
        options.Tracking.PollInterval = TimeSpan.FromMilliseconds(100);
        options.Tracking.LostAfter = TimeSpan.FromMilliseconds(500);
        options.Tracking.SilenceReconcileInterval = TimeSpan.FromSeconds(30);
        configure?.Invoke(options);
        return new ComfyUIClient(options) { TimeProvider = time ?? TimeProvider.System };
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        var method = context.Request.Method;
        Authorizations.Enqueue(path + " " + context.Request.Headers.Authorization);
        if (path == "/ws")
        {
            Interlocked.Increment(ref UpgradeAttempts);
            if (RefuseUpgrades is { } status)
            {
                context.Response.StatusCode = status;
                return;
            }

            var clientId = context.Request.Query["clientId"].ToString();
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            _sockets[clientId] = socket;
            _contexts[clientId] = context;
            await SendAsync(clientId, $$$"""{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": "{{{clientId}}}"}}""");
            Connected?.Invoke(clientId);
            var buffer = new byte[4096];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
            }
            finally
            {
                _sockets.TryRemove(new KeyValuePair<string, WebSocket>(clientId, socket));
                _contexts.TryRemove(new KeyValuePair<string, HttpContext>(clientId, context));
            }

            return;
        }

        string body;
        using (var reader = new StreamReader(context.Request.Body))
        {
            body = await reader.ReadToEndAsync();
        }

        context.Response.ContentType = "application/json";
        switch (method, path)
        {
            case ("POST", "/api/prompt"):
            {
                Posts.Enqueue("prompt " + body);
                var (status, answer) = await OnPrompt(JsonNode.Parse(body)!.AsObject(), context);
                if (status == 0)
                {
                    context.Abort();
                    return;
                }

                context.Response.StatusCode = status;
                await context.Response.WriteAsync(answer);
                return;
            }
            case ("GET", "/api/queue"):
                await context.Response.WriteAsync(
                    "{\"queue_running\": [" + string.Join(",", Running.Keys.Select(Item)) + "], \"queue_pending\": [" + string.Join(",", Pending.Keys.Select(Item)) + "]}");
                return;
            case ("POST", "/api/queue"):
            {
                Posts.Enqueue("queue " + body);
                var delete = JsonNode.Parse(body)!["delete"]?.AsArray();
                foreach (var id in delete ?? [])
                {
                    Pending.TryRemove(id!.GetValue<string>(), out _);
                }

                return;
            }
            case ("POST", "/api/interrupt"):
                Posts.Enqueue("interrupt " + body);
                InterruptRequested?.Invoke(body);
                return;
            case ("GET", "/api/prompt"):
                await context.Response.WriteAsync("""{"exec_info": {"queue_remaining": 0}}""");
                return;
            case ("GET", "/api/system_stats"):
                await context.Response.WriteAsync(Fixture.Http("system_stats.json"));
                return;
            case ("GET", "/api/object_info"):
                await context.Response.WriteAsync(Fixture.Http("object_info.json"));
                return;
        }

        if (method == "GET" && path == "/api/view")
        {
            context.Response.ContentType = "image/png";
            await context.Response.WriteAsync("bytes of " + context.Request.Query["subfolder"] + "/" + context.Request.Query["filename"]);
            return;
        }

        if (method == "GET" && path.StartsWith("/api/history/", StringComparison.Ordinal))
        {
            var id = Uri.UnescapeDataString(path["/api/history/".Length..]);
            HistoryReads.AddOrUpdate(id, 1, (_, count) => count + 1);
            if (DropHistoryReads)
            {
                context.Abort();
                return;
            }

            await context.Response.WriteAsync(History.TryGetValue(id, out var entry) ? $"{{\"{id}\": {entry}}}" : "{}");
            return;
        }

        context.Response.StatusCode = 404;
    }

    /// <summary>Called with the body of each POST /interrupt.</summary>
    public event Action<string>? InterruptRequested;

    private static string Item(string id) => $$$"""[1, "{{{id}}}", {}, {"client_id": "runs-test"}, ["2"]]""";

    /// <summary>Sends a text frame to the socket of a client id (no-op when none is connected).</summary>
    public async Task SendAsync(string clientId, string json)
    {
        if (!_sockets.TryGetValue(clientId, out var socket))
        {
            return;
        }

        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends the full successful event sequence of a prompt with one SaveImage output.</summary>
    public async Task SendSuccessAsync(string clientId, string promptId, string file = "out_00001_.png")
    {
        await SendAsync(clientId, $$$"""{"type": "execution_start", "data": {"prompt_id": "{{{promptId}}}", "timestamp": 1}}""");
        await SendAsync(clientId, $$$"""{"type": "execution_cached", "data": {"nodes": [], "prompt_id": "{{{promptId}}}", "timestamp": 1}}""");
        await SendAsync(clientId, $$$"""{"type": "executing", "data": {"node": "2", "display_node": "2", "prompt_id": "{{{promptId}}}"}}""");
        await SendAsync(clientId, $$$"""{"type": "progress", "data": {"value": 1, "max": 2, "prompt_id": "{{{promptId}}}", "node": "2"}}""");
        await SendAsync(clientId, $$$"""{"type": "executed", "data": {"node": "2", "display_node": "2", "output": {"images": [{"filename": "{{{file}}}", "subfolder": "", "type": "output"}]}, "prompt_id": "{{{promptId}}}"}}""");
        await SendAsync(clientId, $$$"""{"type": "execution_success", "data": {"prompt_id": "{{{promptId}}}", "timestamp": 2}}""");
        await SendAsync(clientId, $$$"""{"type": "executing", "data": {"node": null, "prompt_id": "{{{promptId}}}"}}""");
    }

    public static string SuccessEntry(string promptId, string file = "out_00001_.png") =>
        $$$"""{"prompt": [1, "{{{promptId}}}", {}, {"client_id": "runs-test"}, ["2"]], "outputs": {"2": {"images": [{"filename": "{{{file}}}", "subfolder": "", "type": "output"}]}}, "status": {"status_str": "success", "completed": true, "messages": [["execution_start", {"prompt_id": "{{{promptId}}}", "timestamp": 1}], ["execution_cached", {"nodes": [], "prompt_id": "{{{promptId}}}", "timestamp": 1}], ["execution_success", {"prompt_id": "{{{promptId}}}", "timestamp": 2}]]}, "meta": {}}""";

    public static string ErrorEntry(string promptId) =>
        $$$"""{"prompt": [1, "{{{promptId}}}", {}, {"client_id": "runs-test"}, ["2"]], "outputs": {}, "status": {"status_str": "error", "completed": false, "messages": [["execution_start", {"prompt_id": "{{{promptId}}}", "timestamp": 1}], ["execution_error", {"prompt_id": "{{{promptId}}}", "node_id": "2", "node_type": "SdkTestRaiseError", "executed": [], "exception_message": "boom", "exception_type": "ValueError", "traceback": ["line 1"], "current_inputs": {}, "current_outputs": [], "timestamp": 2}]]}, "meta": {}}""";

    public static string InterruptedEntry(string promptId) =>
        $$$"""{"prompt": [1, "{{{promptId}}}", {}, {"client_id": "runs-test"}, ["2"]], "outputs": {}, "status": {"status_str": "error", "completed": false, "messages": [["execution_start", {"prompt_id": "{{{promptId}}}", "timestamp": 1}], ["execution_interrupted", {"prompt_id": "{{{promptId}}}", "node_id": "2", "node_type": "SdkTestSlow", "executed": [], "timestamp": 2}]]}, "meta": {}}""";

    /// <summary>Drops every socket without a close frame.</summary>
    public void AbortSockets()
    {
        foreach (var context in _contexts.Values)
        {
            try
            {
                context.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        _contexts.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        AbortSockets();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
