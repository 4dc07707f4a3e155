using System.Text;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>A frame of a real WebSocket transcript in captures/ws.</summary>
internal sealed record CapturedFrame(string? Type, JsonNode? Data, int? BinaryType, JsonObject Raw)
{
    public override string ToString() => Type ?? $"binary{BinaryType}";
}

internal static class Capture
{
    public static List<CapturedFrame> Load(string scenario)
    {
        var list = new List<CapturedFrame>();
        foreach (var line in File.ReadLines(Fixture.WsPath(scenario + ".jsonl")))
        {
            var o = JsonNode.Parse(line)!.AsObject();
            if (o["frame"]!.GetValue<string>() == "text")
            {
                var m = o["message"]!;
                list.Add(new CapturedFrame(m["type"]!.GetValue<string>(), m["data"], null, o));
            }
            else
            {
                list.Add(new CapturedFrame(null, null, o["event_type"]!.GetValue<int>(), o));
            }
        }

        return list;
    }

    public static JsonObject Prompt(string scenario) => JsonNode.Parse(File.ReadAllText(Fixture.WsPath(scenario + ".prompt.json")))!["prompt"]!.AsObject();

    /// <summary>The key structure of a JSON value: objects by sorted key, arrays by the union of their element shapes, scalars by kind.</summary>
    public static string Shape(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Shape(p.Value))) + "}",
        JsonArray a => "[" + string.Join("|", a.Select(Shape).Distinct().Order(StringComparer.Ordinal)) + "]",
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "s",
            System.Text.Json.JsonValueKind.Number => "n",
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "b",
            _ => "?",
        },
        _ => "?",
    };

    /// <summary>Shape of an object whose keys are ids (history, jobs by id): the shapes of its values.</summary>
    public static string ValuesShape(JsonNode? node) => node is JsonObject o ? string.Join("|", o.Select(p => Shape(p.Value)).Distinct().Order(StringComparer.Ordinal)) : Shape(node);

    public static string Describe(IEnumerable<object> frames) => string.Join(" ", frames);

    public static string BinaryMetadataShape(byte[] frame)
    {
        var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4));
        return Shape(JsonNode.Parse(Encoding.UTF8.GetString(frame, 8, length)));
    }
}
