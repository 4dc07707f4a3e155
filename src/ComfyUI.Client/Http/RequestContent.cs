using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ComfyUI.Client.Diagnostics;

namespace ComfyUI.Client.Http;

/// <summary>Request bodies: JSON through the source-generated context, and multipart forms whose file parts stream.</summary>
internal static class RequestContent
{
    /// <summary>Creates JSON request content through the source-generated context.</summary>
    public static HttpContent Json<T>(T value, JsonTypeInfo<T> typeInfo) => Json(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    /// <summary>Creates JSON request content from UTF-8 bytes.</summary>
    public static HttpContent Json(byte[] utf8)
    {
        var content = new ByteArrayContent(utf8);
        // Stored as sent, not parsed into a MediaTypeHeaderValue with a parameter list per request.
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        return content;
    }

    /// <summary>
    /// Builds a multipart/form-data body from parts; the file part streams from its source, is never buffered, and counts its bytes for
    /// <paramref name="server"/>'s <c>comfyui.file.io</c>.
    /// </summary>
    public static MultipartFormDataContent Multipart(
        IEnumerable<KeyValuePair<string, string>> fields, string fileField, Stream file, string fileName, ServerEndpoint server, out LeaveOpenStreamContent filePart)
    {
        var content = new MultipartFormDataContent("----ComfyUIClient" + Guid.NewGuid().ToString("N"));
        filePart = new LeaveOpenStreamContent(file, server);
        filePart.Headers.ContentType = new MediaTypeHeaderValue(GuessMediaType(fileName));
        // .NET writes a non-ASCII filename as RFC 2047 ("=?utf-8?B?…?="), which aiohttp would store literally, and rejects quotes in it.
        // aiohttp reads filename* (RFC 5987) first, so such names go there, with an ASCII stand-in in filename.
        var plain = Ascii.IsValid(fileName) && fileName.IndexOfAny(['"', '\\']) < 0;
        var disposition = new ContentDispositionHeaderValue("form-data")
        {
            Name = Quote(fileField),
            FileName = Quote(plain ? fileName : string.Concat(fileName.Select(c => c is < ' ' or > '~' or '"' or '\\' ? '_' : c))),
        };
        if (!plain)
        {
            disposition.FileNameStar = fileName;
        }

        filePart.Headers.ContentDisposition = disposition;
        content.Add(filePart);
        foreach (var field in fields)
        {
            var part = new StringContent(field.Value, Encoding.UTF8);
            part.Headers.ContentType = null;
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = Quote(field.Key) };
            content.Add(part);
        }

        return content;
    }

    private static string Quote(string value) => "\"" + value + "\"";

    private static string GuessMediaType(string fileName) => Path.GetExtension(fileName).ToUpperInvariant() switch
    {
        ".PNG" => "image/png",
        ".JPG" or ".JPEG" => "image/jpeg",
        ".WEBP" => "image/webp",
        ".GIF" => "image/gif",
        _ => "application/octet-stream",
    };
}
