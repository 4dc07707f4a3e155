using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>/upload/image, /upload/mask, /view.</summary>
internal sealed class FileRoutes
{
    private readonly ServerContext context;

    public FileRoutes(ServerContext context)
    {
        this.context = context;
    }

    public async Task Upload(HttpContext h, bool mask)
    {
        if (!h.Request.HasFormContentType)
        {
            await Http.Status(h, 400).ConfigureAwait(false);
            return;
        }

        var form = await h.Request.ReadFormAsync(h.RequestAborted).ConfigureAwait(false);
        var file = form.Files["image"];
        if (file is null || string.IsNullOrEmpty(file.FileName))
        {
            await Http.Status(h, 400).ConfigureAwait(false);
            return;
        }

        var type = form["type"].ToString();
        if (string.IsNullOrEmpty(type))
        {
            type = "input";
        }

        if (context.Files.TypeDirectory(type) is not { } baseDir)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        var subfolder = form["subfolder"].ToString();
        var overwrite = form["overwrite"].ToString() is "true" or "1";
        var dir = FileStore.SafeCombine(baseDir, subfolder);
        if (dir is null)
        {
            await Http.Status(h, 400).ConfigureAwait(false);
            return;
        }

        byte[] bytes;
        using (var copy = new MemoryStream())
        {
            await file.CopyToAsync(copy, h.RequestAborted).ConfigureAwait(false);
            bytes = copy.ToArray();
        }

        Directory.CreateDirectory(dir);
        var name = Path.GetFileName(file.FileName);
        var path = Path.Combine(dir, name);
        if (!overwrite)
        {
            var stem = Path.GetFileNameWithoutExtension(name);
            var ext = Path.GetExtension(name);
            var i = 1;
            while (File.Exists(path))
            {
                if ((await File.ReadAllBytesAsync(path, h.RequestAborted).ConfigureAwait(false)).AsSpan().SequenceEqual(bytes))
                {
                    break;
                }

                name = $"{stem} ({i}){ext}";
                path = Path.Combine(dir, name);
                i++;
            }
        }

        // As on the real server, an upload with the same bytes as the existing file of that name writes nothing (the mask too: its
        // raw bytes are compared, before any merge).
        var duplicate = !overwrite && File.Exists(path);
        if (!duplicate)
        {
            byte[]? content = bytes;
            if (mask)
            {
                try
                {
                    content = MaskUpload.Merge(context.Files, form.TryGetValue("original_ref", out var reference) ? reference.ToString() : null, bytes);
                }
                catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IndexOutOfRangeException)
                {
                    await Http.InternalError(h).ConfigureAwait(false);
                    return;
                }
            }

            if (content is not null)
            {
                await File.WriteAllBytesAsync(path, content, h.RequestAborted).ConfigureAwait(false);
            }
        }

        await Http.Json(h, new JsonObject { ["name"] = name, ["subfolder"] = subfolder, ["type"] = type }).ConfigureAwait(false);
    }

    public async Task View(HttpContext h)
    {
        var filename = h.Request.Query["filename"].ToString();
        if (string.IsNullOrEmpty(filename))
        {
            await Http.Status(h, 404).ConfigureAwait(false);
            return;
        }

        var type = h.Request.Query["type"].ToString();
        if (string.IsNullOrEmpty(type))
        {
            type = "output";
        }

        foreach (var t in new[] { "input", "output", "temp" })
        {
            if (filename.EndsWith($" [{t}]", StringComparison.Ordinal))
            {
                filename = filename[..^(t.Length + 3)];
                type = t;
            }
        }

        if (filename.StartsWith('/') || filename.Contains("..", StringComparison.Ordinal))
        {
            await Http.Status(h, 400).ConfigureAwait(false);
            return;
        }

        if (context.Files.TypeDirectory(type) is not { } baseDir)
        {
            await Http.Status(h, 400).ConfigureAwait(false);
            return;
        }

        var dir = FileStore.SafeCombine(baseDir, h.Request.Query["subfolder"].ToString());
        if (dir is null)
        {
            await Http.Status(h, 403).ConfigureAwait(false);
            return;
        }

        var name = Path.GetFileName(filename);
        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            await Http.Status(h, 404).ConfigureAwait(false);
            return;
        }

        var contentType = Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".webp" => "image/webp",
            ".gif" => "image/gif",
            ".json" => "application/json",
            ".txt" => "text/plain",
            ".mp4" => "video/mp4",
            ".webm" => "video/webm",
            ".wav" => "audio/x-wav",
            ".mp3" => "audio/mpeg",
            ".flac" => "audio/flac",
            _ => "application/octet-stream",
        };
        h.Response.Headers["Content-Disposition"] = $"filename=\"{name}\"";
        h.Response.Headers["X-Content-Type-Options"] = "nosniff";
        var info = new FileInfo(path);
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"");
        await TypedResults.PhysicalFile(path, contentType, lastModified: info.LastWriteTimeUtc, entityTag: etag, enableRangeProcessing: true).ExecuteAsync(h).ConfigureAwait(false);
    }
}
