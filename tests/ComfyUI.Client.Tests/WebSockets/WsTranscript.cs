using System.Text;
using System.Text.Json;

namespace ComfyUI.Client.Tests.WebSockets;

/// <summary>One frame of a real WebSocket capture (Fixtures/ws/*.jsonl).</summary>
internal sealed record WsFrame(int Index, bool IsBinary, byte[] Bytes, JsonElement Line)
{
    public string? Type => IsBinary ? null : Line.GetProperty("message").GetProperty("type").GetString();
}

/// <summary>Reads the captures.</summary>
internal static class WsTranscript
{
    public static IEnumerable<string> Names =>
        Directory.EnumerateFiles(Path.Combine(Fixture.Directory, "ws"), "*.jsonl").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static IReadOnlyList<WsFrame> Load(string name)
    {
        var frames = new List<WsFrame>();
        foreach (var line in File.ReadLines(Fixture.WsPath(name + ".jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var element = JsonDocument.Parse(line).RootElement.Clone();
            var binary = element.GetProperty("frame").GetString() == "binary";
            var bytes = binary
                ? Convert.FromBase64String(element.GetProperty("b64").GetString()!)
                : Encoding.UTF8.GetBytes(element.GetProperty("raw").GetString()!);
            frames.Add(new WsFrame(element.GetProperty("i").GetInt32(), binary, bytes, element));
        }

        return frames;
    }
}
