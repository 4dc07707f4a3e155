using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>Registers every route, once as written and once under /api (except the literal /api/jobs and /internal routes).</summary>
internal static class RouteTable
{
    public static void Map(WebApplication app, ServerContext context)
    {
        void Both(string method, string pattern, Func<HttpContext, Task> handler)
        {
            app.MapMethods(pattern, [method], (RequestDelegate)(h => handler(h)));
            app.MapMethods("/api" + pattern, [method], (RequestDelegate)(h => handler(h)));
        }

        void Literal(string method, string pattern, Func<HttpContext, Task> handler) => app.MapMethods(pattern, [method], (RequestDelegate)(h => handler(h)));

        // The jobs routes are declared with a literal /api, so the real server also serves them under /api/api.
        void Jobs(string method, string pattern, Func<HttpContext, Task> handler)
        {
            Literal(method, pattern, handler);
            Literal(method, "/api" + pattern, handler);
        }

        var queue = new QueueRoutes(context);
        Both("GET", "/prompt", queue.GetPrompt);
        Both("POST", "/prompt", queue.PostPrompt);
        Both("GET", "/queue", queue.GetQueue);
        Both("POST", "/queue", queue.PostQueue);
        Both("POST", "/interrupt", queue.Interrupt);
        Both("POST", "/free", queue.Free);
        Both("GET", "/history", queue.GetHistory);
        Both("GET", "/history/{id}", queue.GetHistoryItem);
        Both("POST", "/history", queue.PostHistory);

        var jobs = new JobRoutes(context);
        Jobs("GET", "/api/jobs", jobs.List);
        Jobs("GET", "/api/jobs/{id}", jobs.Get);
        Jobs("POST", "/api/jobs/{id}/cancel", jobs.CancelOne);
        Jobs("POST", "/api/jobs/cancel", jobs.CancelMany);

        var discovery = new DiscoveryRoutes(context);
        Both("GET", "/object_info", discovery.ObjectInfo);
        Both("GET", "/object_info/{cls}", discovery.ObjectInfoClass);
        Both("GET", "/models", DiscoveryRoutes.Models);
        Both("GET", "/models/{folder}", DiscoveryRoutes.ModelFolder);
        Both("GET", "/embeddings", h => Http.Json(h, new JsonArray()));
        Both("GET", "/extensions", h => Http.Json(h, new JsonArray()));
        Both("GET", "/features", h => Http.Json(h, DiscoveryRoutes.Features()));
        Both("GET", "/system_stats", DiscoveryRoutes.SystemStats);
        Literal("GET", "/internal/folder_paths", discovery.FolderPaths);
        Literal("GET", "/internal/files/{type}", discovery.InternalFiles);

        var files = new FileRoutes(context);
        Both("POST", "/upload/image", h => files.Upload(h, mask: false));
        Both("POST", "/upload/mask", h => files.Upload(h, mask: true));
        Both("GET", "/view", files.View);

        var user = new UserDataRoutes(context);
        Both("GET", "/userdata", user.List);
        Both("GET", "/v2/userdata", user.ListV2);
        Both("GET", "/userdata/{file}", user.Get);
        Both("POST", "/userdata/{file}", user.Post);
        Both("DELETE", "/userdata/{file}", user.Delete);
        Both("POST", "/userdata/{file}/move/{dest}", user.Move);
        Both("GET", "/users", user.Users);
        Both("POST", "/users", user.PostUsers);
        Both("GET", "/settings", user.GetSettings);
        Both("GET", "/settings/{id}", user.GetSetting);
        Both("POST", "/settings", user.PostSettings);
        Both("POST", "/settings/{id}", user.PostSetting);

        Both("GET", "/experiment/models", h => MiscRoutes.ExperimentModels(h, context));
        Both("GET", "/experiment/models/{folder}", MiscRoutes.ExperimentModelFolder);
        Both("GET", "/view_metadata/{folder}", h => Http.Status(h, 404));
        Both("GET", "/i18n", h => Http.Json(h, new JsonObject()));
        Both("GET", "/node_replacements", h => Http.Json(h, new JsonObject()));
        Both("GET", "/global_subgraphs", h => Http.Json(h, new JsonObject()));
        Both("GET", "/global_subgraphs/{id}", h => Http.Json(h, null));
        Both("GET", "/workflow_templates", h => Http.Json(h, new JsonObject()));
        Literal("GET", "/internal/logs", MiscRoutes.Logs);
        Literal("GET", "/internal/logs/raw", MiscRoutes.LogsRaw);
        Literal("PATCH", "/internal/logs/subscribe", h => Http.Status(h, 200));
        foreach (var method in new[] { "GET", "POST", "PUT", "PATCH", "DELETE" })
        {
            Literal(method, "/api/assets", MiscRoutes.AssetsDisabled);
            Literal(method, "/api/assets/{**rest}", MiscRoutes.AssetsDisabled);
            Literal(method, "/api/tags", MiscRoutes.AssetsDisabled);
        }

        var ws = new WebSockets.WsEndpoint(context);
        Both("GET", "/ws", ws.HandleAsync);

        Literal("GET", "/", h => Http.Text(h, "<html><body>FakeComfyUIServer</body></html>", 200, "text/html"));
        app.MapFallback((RequestDelegate)(h => Http.Status(h, 404)));
    }
}

/// <summary>Small response helpers.</summary>
internal static class Http
{
    public static async Task Json(HttpContext context, JsonNode? body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(Testing.Json.Serialize(body), context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task Text(HttpContext context, string text, int status, string contentType = "text/plain")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType + "; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    public static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    public static Task InternalError(HttpContext context) => Text(context, "500 Internal Server Error\n\nServer got itself in trouble", 500);

    /// <summary>Reads the body as JSON; null when it is empty or not JSON.</summary>
    public static async Task<(bool Ok, JsonNode? Node)> ReadJson(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            return (true, JsonNode.Parse(text));
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }

    public static bool QueryTrue(HttpContext context, string name) => string.Equals(context.Request.Query[name].ToString(), "true", StringComparison.OrdinalIgnoreCase);
}
