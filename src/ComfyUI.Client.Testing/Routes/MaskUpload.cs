using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using ComfyUI.Client.Testing.Png;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>
/// What ComfyUI's <c>/upload/mask</c> writes: the original image (named by <c>original_ref</c>) as RGBA, its alpha replaced by the
/// mask's alpha (255 where the mask has none), its text chunks kept. As on the real server, a reference that names no file (absent,
/// outside its folder, unknown type) writes nothing while the upload still answers 200; an unreadable reference, an unreadable
/// image or a mask of another size fails the request (500).
/// </summary>
internal static class MaskUpload
{
    /// <summary>The merged PNG to write, or null when the reference names no file.</summary>
    /// <exception cref="InvalidDataException">The reference or an image cannot be read, or the sizes differ (the real server answers 500).</exception>
    public static byte[]? Merge(FileStore files, string? originalRef, byte[] mask)
    {
        JsonObject reference;
        try
        {
            reference = JsonNode.Parse(originalRef ?? throw new InvalidDataException("original_ref is missing")) as JsonObject
                ?? throw new InvalidDataException("original_ref is not an object");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException("original_ref is not JSON", ex);
        }

        if (!reference.TryGetPropertyValue("filename", out var filenameNode) || Json.GetString(filenameNode) is not { } filename)
        {
            throw new InvalidDataException("original_ref has no filename");
        }

        var path = OriginalPath(files, reference, filename);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        var originalBytes = File.ReadAllBytes(path);
        var original = PngCodec.Decode(originalBytes);
        var alpha = PngCodec.Decode(mask);
        if ((alpha.Width, alpha.Height) != (original.Width, original.Height))
        {
            throw new InvalidDataException("images do not match");
        }

        for (var i = 3; i < original.Pixels.Length; i += 4)
        {
            original.Pixels[i] = alpha.Pixels[i];
        }

        return PngCodec.Encode(original, PngCodec.ReadText(originalBytes), alpha: true);
    }

    /// <summary>ComfyUI's resolution of the reference: an annotated name ("x.png [input]") wins over <c>type</c> (default output).</summary>
    private static string? OriginalPath(FileStore files, JsonObject reference, string filename)
    {
        string? baseDir = null;
        foreach (var (suffix, type) in new[] { ("[output]", "output"), ("[input]", "input"), ("[temp]", "temp") })
        {
            if (filename.EndsWith(suffix, StringComparison.Ordinal))
            {
                filename = filename[..Math.Max(0, filename.Length - suffix.Length - 1)];
                baseDir = files.TypeDirectory(type);
                break;
            }
        }

        if (filename.Length == 0 || filename[0] == '/' || filename.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        baseDir ??= files.TypeDirectory(Json.GetString(reference["type"]) ?? "output");
        return baseDir is null ? null : FileStore.SafeCombine(baseDir, Json.GetString(reference["subfolder"]) ?? "", filename);
    }
}
