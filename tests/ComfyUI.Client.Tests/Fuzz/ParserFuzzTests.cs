using System.Text;
using System.Text.Json;
using ComfyUI.Client.Serialization;
using ComfyUI.Client.WebSockets;
using CsCheck;

namespace ComfyUI.Client.Tests.Fuzz;

/// <summary>
/// Random, truncated and mutated inputs built from the real captures: the parsers may only answer a typed record (or null for the
/// error parser) or throw <see cref="ComfyUIProtocolException"/> — never another exception, never a hang.
/// </summary>
public sealed class ParserFuzzTests
{
    /// <summary>A fixed seed keeps the runs deterministic (this one found the invalid-UTF-8 'type' crash).</summary>
    private const string Seed = "c9yyKv54GRZ1";

    private static readonly byte[][] TextFrames = LoadFrames(binary: false);
    private static readonly byte[][] BinaryFrames = LoadFrames(binary: true);

    private static byte[][] LoadFrames(bool binary)
    {
        var frames = new List<byte[]>();
        foreach (var file in Directory.GetFiles(Path.Combine(Fixture.Directory, "ws"), "*.jsonl"))
        {
            foreach (var line in File.ReadLines(file))
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (binary && root.GetProperty("frame").GetString() == "binary")
                {
                    frames.Add(Convert.FromBase64String(root.GetProperty("b64").GetString()!));
                }
                else if (!binary && root.GetProperty("frame").GetString() == "text")
                {
                    frames.Add(Encoding.UTF8.GetBytes(root.GetProperty("raw").GetString()!));
                }
            }
        }

        return [.. frames];
    }

    /// <summary>A capture, then mutated: cut short, bytes flipped, bytes inserted or removed.</summary>
    private static Gen<byte[]> Mutated(byte[][] seeds) =>
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 3], Gen.Int[0, 1 << 20], Gen.Byte.Array[1, 8], (index, kind, position, bytes) =>
        {
            var seed = seeds[index];
            var at = seed.Length == 0 ? 0 : position % seed.Length;
            return kind switch
            {
                0 => seed[..at],
                1 => [.. seed[..at], .. bytes, .. seed[Math.Min(seed.Length, at + bytes.Length)..]],
                2 => [.. seed[..at], .. bytes, .. seed[at..]],
                _ => [.. seed[..at], .. seed[Math.Min(seed.Length, at + bytes.Length)..]],
            };
        });

    private static void OnlyTypedOrProtocolError(Func<object?> parse)
    {
        try
        {
            parse();
        }
        catch (ComfyUIProtocolException)
        {
        }
    }

    [Fact]
    public void Text_frames_parse_or_fail_with_a_protocol_error()
    {
        Assert.NotEmpty(TextFrames);
        Mutated(TextFrames).Sample(frame => OnlyTypedOrProtocolError(() => ComfyMessageParser.ParseText(frame)), iter: 4000, seed: Seed);
    }

    [Fact]
    public void Binary_frames_parse_or_fail_with_a_protocol_error()
    {
        Assert.NotEmpty(BinaryFrames);
        Mutated(BinaryFrames).Sample(frame => OnlyTypedOrProtocolError(() => ComfyMessageParser.ParseBinary(frame)), iter: 4000, seed: Seed);
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_protocol_error_message()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Bool).Sample((bytes, binary) =>
        {
            var message = ComfyMessageParser.ParseOrError(bytes, binary);
            Assert.NotNull(message);
        }, iter: 4000, seed: Seed);
    }

    [Fact]
    public void Every_text_message_with_random_data_of_the_wrong_shape_is_typed_or_a_protocol_error()
    {
        var types = new[] { "status", "execution_start", "execution_cached", "executing", "progress", "progress_state", "executed",
            "execution_success", "execution_error", "execution_interrupted", "feature_flags", "logs", "custom.thing" };
        var values = new[] { "null", "1", "-1.5e300", "\"x\"", "[]", "[1,\"a\",null]", "{}", "{\"a\":{\"b\":[1]}}", "true",
            "18446744073709551616", "\"NaN\"" };
        var keys = new[] { "prompt_id", "node", "nodes", "value", "max", "output", "status", "sid", "timestamp", "traceback", "exception_message",
            "current_inputs", "entries", "size", "display_node", "node_id", "executed" };
        Gen.Select(Gen.Int[0, types.Length - 1], Gen.Select(Gen.Int[0, keys.Length - 1], Gen.Int[0, values.Length - 1]).Array[0, 6]).Sample((type, members) =>
        {
            var data = "{" + string.Join(",", members.Select(m => $"\"{keys[m.Item1]}\":{values[m.Item2]}")) + "}";
            var frame = Encoding.UTF8.GetBytes($"{{\"type\":\"{types[type]}\",\"data\":{data}}}");
            OnlyTypedOrProtocolError(() => ComfyMessageParser.ParseText(frame));
        }, iter: 4000, seed: Seed);
    }

    [Fact]
    public void Error_bodies_of_any_shape_parse_to_an_error_or_null()
    {
        var seeds = Directory.GetFiles(Path.Combine(Fixture.Directory, "http"), "prompt_error_*")
            .Concat(Directory.GetFiles(Path.Combine(Fixture.Directory, "http"), "job*.json"))
            .Select(File.ReadAllBytes).ToArray();
        Mutated(seeds).Sample(body => ComfyErrorParser.TryParse(Encoding.UTF8.GetString(body)), iter: 3000, seed: Seed);
    }

    [Fact]
    public void History_and_queue_bodies_read_or_fail_with_json_errors_only()
    {
        var seeds = new[] { "history_all.json", "history_entry_execution_error.json", "queue_running_and_pending.json" }
            .Select(name => File.ReadAllBytes(Path.Combine(Fixture.Directory, "http", name))).ToArray();
        Mutated(seeds).Sample(body =>
        {
            try
            {
                JsonSerializer.Deserialize(body, ComfyJsonContext.Default.DictionaryStringHistoryEntry);
            }
            catch (JsonException)
            {
                // The pipeline turns JsonException into ComfyUIProtocolException; anything else would escape.
            }

            try
            {
                JsonSerializer.Deserialize(body, ComfyJsonContext.Default.QueueState);
            }
            catch (JsonException)
            {
            }
        }, iter: 3000, seed: Seed);
    }

    [Fact]
    public void A_type_that_is_not_valid_UTF8_is_a_protocol_error()
    {
        byte[] frame = [.. "{\"type\":\""u8, 0xBD, 0xFF, .. "\",\"data\":{}}"u8];

        var ex = Assert.Throws<ComfyUIProtocolException>(() => ComfyMessageParser.ParseText(frame));

        Assert.Contains("UTF-8", ex.Message);
    }
}
