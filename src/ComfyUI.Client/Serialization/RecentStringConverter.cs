using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client.Serialization;

/// <summary>
/// Reads strings that repeat from message to message (prompt ids, node ids) through a small cache of recently seen values, so a stream of
/// <c>progress</c> messages for one prompt shares one prompt id string instead of allocating a copy per message. Thread-safe without locks:
/// a slot holds an immutable entry, and a race only costs a miss.
/// </summary>
internal sealed class RecentStringConverter : JsonConverter<string?>
{
    private const int Slots = 64;
    private const int MaxCachedBytes = 64;
    private static readonly Entry?[] Cache = new Entry?[Slots];

    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, not {reader.TokenType}.");
        }

        return ReadString(ref reader);
    }

    /// <summary>Reads the current string (or property name) through the cache.</summary>
    public static string ReadString(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedBytes)
        {
            return reader.GetString()!;
        }

        var utf8 = reader.ValueSpan;
        var slot = Slot(utf8);
        var entry = Volatile.Read(ref Cache[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        var value = reader.GetString()!;
        Volatile.Write(ref Cache[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        var hash = (uint)utf8.Length * 2654435761u;
        var tail = utf8.Length > 8 ? utf8[^8..] : utf8;
        foreach (var b in tail)
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (utf8.Length > 0)
        {
            hash = (hash ^ utf8[0]) * 16777619u;
        }

        return (int)(hash % Slots);
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public byte[] Utf8 { get; } = utf8;

        public string Value { get; } = value;
    }
}
