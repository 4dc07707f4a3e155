using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using Microsoft.AspNetCore.Http;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>/userdata, /v2/userdata, /users, /settings (single user "default").</summary>
internal sealed class UserDataRoutes
{
    private readonly ServerContext context;
    private readonly object settingsGate = new();

    public UserDataRoutes(ServerContext context)
    {
        this.context = context;
    }

    private string Root => context.Files.UserRoot;

    private static string Segment(HttpContext h, string name)
    {
        var value = Uri.UnescapeDataString((string)h.Request.RouteValues[name]!);
        return value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;
    }

    private static long Ms(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static JsonObject FullInfo(string path, string relativeTo) => new()
    {
        ["path"] = Path.GetRelativePath(relativeTo, path).Replace(Path.DirectorySeparatorChar, '/'),
        ["size"] = new FileInfo(path).Length,
        ["modified"] = Ms(File.GetLastWriteTimeUtc(path)),
        ["created"] = Ms(File.GetCreationTimeUtc(path)),
    };

    public Task List(HttpContext h)
    {
        var dir = h.Request.Query["dir"].ToString();
        if (string.IsNullOrEmpty(dir))
        {
            return Http.Text(h, "Directory not provided", 400);
        }

        var path = FileStore.SafeCombine(Root, dir);
        if (path is null)
        {
            return Http.Text(h, "Forbidden", 403);
        }

        if (!Directory.Exists(path))
        {
            return Http.Text(h, "Directory not found", 404);
        }

        var recurse = Http.QueryTrue(h, "recurse");
        var full = Http.QueryTrue(h, "full_info");
        var split = Http.QueryTrue(h, "split");
        var result = new JsonArray();
        foreach (var file in Directory.EnumerateFiles(path, "*", recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
        {
            var rel = Path.GetRelativePath(path, file).Replace(Path.DirectorySeparatorChar, '/');
            if (full)
            {
                result.Add(FullInfo(file, path));
            }
            else if (split)
            {
                var parts = new JsonArray(JsonValue.Create(rel));
                foreach (var p in rel.Split('/'))
                {
                    parts.Add(JsonValue.Create(p));
                }

                result.Add(parts);
            }
            else
            {
                result.Add(JsonValue.Create(rel));
            }
        }

        return Http.Json(h, result);
    }

    public Task ListV2(HttpContext h)
    {
        var rel = h.Request.Query["path"].ToString();
        var path = FileStore.SafeCombine(Root, rel);
        if (path is null)
        {
            return Http.Text(h, "Invalid path", 400);
        }

        if (!Directory.Exists(path))
        {
            return string.IsNullOrEmpty(rel) ? Http.Json(h, new JsonArray()) : Http.Text(h, "Path not found", 404);
        }

        var entries = new List<JsonObject>();
        foreach (var d in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
        {
            entries.Add(new JsonObject { ["name"] = Path.GetFileName(d), ["path"] = Path.GetRelativePath(Root, d).Replace(Path.DirectorySeparatorChar, '/'), ["type"] = "directory" });
        }

        var dirs = entries.Count;
        foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            entries.Add(new JsonObject
            {
                ["name"] = Path.GetFileName(f),
                ["path"] = Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'),
                ["type"] = "file",
                ["size"] = new FileInfo(f).Length,
                ["modified"] = Json.Float(Ms(File.GetLastWriteTimeUtc(f)) / 1000.0),
            });
        }

        var sorted = entries.OrderBy(e => Json.GetString(e["type"]) == "directory" ? 0 : 1).ThenBy(e => Json.GetString(e["name"]), StringComparer.OrdinalIgnoreCase);
        _ = dirs;
        return Http.Json(h, new JsonArray([.. sorted]));
    }

    public async Task Get(HttpContext h)
    {
        var path = FileStore.SafeCombine(Root, Segment(h, "file"));
        if (path is null)
        {
            await Http.Status(h, 403).ConfigureAwait(false);
            return;
        }

        if (!File.Exists(path))
        {
            await Http.Status(h, 404).ConfigureAwait(false);
            return;
        }

        h.Response.ContentType = Path.GetExtension(path) == ".json" ? "application/json" : "application/octet-stream";
        h.Response.Headers["Content-Disposition"] = "attachment";
        h.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await h.Response.SendFileAsync(path, h.RequestAborted).ConfigureAwait(false);
    }

    public async Task Post(HttpContext h)
    {
        var name = Segment(h, "file");
        var path = FileStore.SafeCombine(Root, name);
        if (path is null || path == Path.GetFullPath(Root))
        {
            await Http.Status(h, path is null ? 403 : 400).ConfigureAwait(false);
            return;
        }

        if (File.Exists(path) && string.Equals(h.Request.Query["overwrite"], "false", StringComparison.Ordinal))
        {
            await Http.Text(h, "File already exists", 409).ConfigureAwait(false);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var copy = new MemoryStream())
        {
            await h.Request.Body.CopyToAsync(copy, h.RequestAborted).ConfigureAwait(false);
            var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
            await File.WriteAllBytesAsync(temp, copy.ToArray(), h.RequestAborted).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }

        await Respond(h, path).ConfigureAwait(false);
    }

    private Task Respond(HttpContext h, string path) => Http.QueryTrue(h, "full_info")
        ? Http.Json(h, FullInfo(path, Root))
        : Http.Json(h, JsonValue.Create(Path.GetRelativePath(Root, path)));

    public Task Delete(HttpContext h)
    {
        var path = FileStore.SafeCombine(Root, Segment(h, "file"));
        if (path is null)
        {
            return Http.Status(h, 403);
        }

        if (!File.Exists(path))
        {
            return Http.Status(h, 404);
        }

        File.Delete(path);
        return Http.Status(h, 204);
    }

    public Task Move(HttpContext h)
    {
        var source = FileStore.SafeCombine(Root, Segment(h, "file"));
        var dest = FileStore.SafeCombine(Root, Segment(h, "dest"));
        if (source is null || dest is null)
        {
            return Http.Status(h, 403);
        }

        if (!File.Exists(source))
        {
            return Http.Status(h, 404);
        }

        if (File.Exists(dest) && string.Equals(h.Request.Query["overwrite"], "false", StringComparison.Ordinal))
        {
            return Http.Text(h, "File already exists", 409);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        File.Move(source, dest, overwrite: true);
        return Respond(h, dest);
    }

    public Task Users(HttpContext h) => Http.Json(h, new JsonObject { ["storage"] = "server", ["migrated"] = Directory.Exists(Root) });

    public async Task PostUsers(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (!ok || body is not JsonObject request || Json.GetString(request["username"]) is not { } name)
        {
            // No JSON, no "username" or not a string: the real handler raises (500).
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        var (id, error) = context.State.Users.Add(name);
        await Http.Json(h, error is null ? JsonValue.Create(id) : new JsonObject { ["error"] = error }, error is null ? 200 : 400).ConfigureAwait(false);
    }

    private string SettingsPath => Path.Combine(Root, "comfy.settings.json");

    private JsonObject LoadSettings()
    {
        lock (settingsGate)
        {
            try
            {
                return File.Exists(SettingsPath) ? JsonNode.Parse(File.ReadAllText(SettingsPath)) as JsonObject ?? [] : [];
            }
            catch (System.Text.Json.JsonException)
            {
                return [];
            }
        }
    }

    private void SaveSettings(JsonObject settings)
    {
        lock (settingsGate)
        {
            File.WriteAllText(SettingsPath, Json.Serialize(settings));
        }
    }

    public Task GetSettings(HttpContext h) => Http.Json(h, LoadSettings());

    public Task GetSetting(HttpContext h) => Http.Json(h, LoadSettings()[(string)h.Request.RouteValues["id"]!]?.DeepClone());

    public async Task PostSettings(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (!ok || body is not JsonObject update)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        var settings = LoadSettings();
        foreach (var (k, v) in update)
        {
            settings[k] = v?.DeepClone();
        }

        SaveSettings(settings);
        h.Response.StatusCode = 200;
    }

    public async Task PostSetting(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (!ok)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        var settings = LoadSettings();
        settings[(string)h.Request.RouteValues["id"]!] = body;
        SaveSettings(settings);
        h.Response.StatusCode = 200;
    }
}
