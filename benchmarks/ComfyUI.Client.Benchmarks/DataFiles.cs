using System.Text;
using System.Text.Json;

namespace ComfyUI.Client.Benchmarks;

/// <summary>The real captures copied into Data/: the /object_info body and the WebSocket transcripts.</summary>
public static class DataFiles
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Data");

    public static byte[] ObjectInfo() => File.ReadAllBytes(Path.Combine(Folder, "object_info.json"));

    public static byte[] HistoryEntry() => File.ReadAllBytes(Path.Combine(Folder, "history_entry_empty_image.json"));

    /// <summary>The first real text frame of each message type, as sent (UTF-8).</summary>
    public static Dictionary<string, byte[]> TextFramesByType()
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (frame, line) in Frames())
        {
            if (frame == "text")
            {
                var raw = line.GetProperty("raw").GetString()!;
                using var doc = JsonDocument.Parse(raw);
                var type = doc.RootElement.GetProperty("type").GetString()!;
                result.TryAdd(type, Encoding.UTF8.GetBytes(raw));
            }
        }

        return result;
    }

    /// <summary>The first real binary frame of each event type (1 = preview, 3 = text, 4 = preview with metadata).</summary>
    public static Dictionary<int, byte[]> BinaryFramesByType()
    {
        var result = new Dictionary<int, byte[]>();
        foreach (var (frame, line) in Frames())
        {
            if (frame == "binary")
            {
                result.TryAdd(line.GetProperty("event_type").GetInt32(), Convert.FromBase64String(line.GetProperty("b64").GetString()!));
            }
        }

        return result;
    }

    private static IEnumerable<(string Frame, JsonElement Line)> Frames()
    {
        foreach (var file in Directory.GetFiles(Folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            foreach (var text in File.ReadLines(file))
            {
                if (text.Length == 0)
                {
                    continue;
                }

                var line = JsonDocument.Parse(text).RootElement;
                yield return (line.GetProperty("frame").GetString()!, line);
            }
        }
    }
}
