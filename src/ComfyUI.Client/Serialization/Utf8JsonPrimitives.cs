using System.Globalization;
using System.Text.Json;

namespace ComfyUI.Client.Serialization;

/// <summary>
/// The steps every hand-written reader (<see cref="WebSockets.HotMessageReaders"/>, <see cref="HistoryEntryReader"/>) shares: the member loop and
/// the reads of single values, following the rules of <see cref="ComfyJsonContext"/> (unknown members ignored, numbers also from strings and
/// named literals, ids through <see cref="RecentStringConverter"/>). Wrong shapes throw <see cref="JsonException"/>.
/// </summary>
internal static class Utf8JsonPrimitives
{
    /// <summary>A member name as the UTF-8 bytes the member loop compares with.</summary>
    public static byte[] Utf8(string name) => System.Text.Encoding.UTF8.GetBytes(name);

    /// <summary>
    /// The member loop: moves to the next member of the current object whose name is in <paramref name="names"/>, leaves the reader on its value
    /// and returns its index; skips every other member; returns -1 at the object's end.
    /// </summary>
    public static int NextMember(ref Utf8JsonReader reader, byte[][] names)
    {
        while (NextProperty(ref reader))
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (reader.ValueTextEquals(names[i]))
                {
                    reader.Read();
                    return i;
                }
            }

            SkipValue(ref reader);
        }

        return -1;
    }

    /// <summary>Moves to the next property name of the current object; <see langword="false"/> at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    /// <summary>Skips the value of the property the reader is on.</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>Throws unless the reader is on <paramref name="token"/>; <paramref name="what"/> names the value in the message.</summary>
    public static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"Expected {what} to be {token}, not {reader.TokenType}.");
        }
    }

    /// <summary>A string or null.</summary>
    public static string? String(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new JsonException($"Expected a string, not {reader.TokenType}."),
    };

    /// <summary>An id (or null) through the recent-values cache; a property name reads as its text.</summary>
    public static string? Id(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String or JsonTokenType.PropertyName => RecentStringConverter.ReadString(ref reader),
        _ => throw new JsonException($"Expected a string, not {reader.TokenType}."),
    };

    /// <summary><see langword="true"/> or <see langword="false"/>.</summary>
    public static bool Boolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new JsonException($"Expected true or false, not {reader.TokenType}."),
    };

    /// <summary>A number, also from a string or a named literal (<c>AllowReadingFromString | AllowNamedFloatingPointLiterals</c>, as in the context).</summary>
    public static double Number(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.GetDouble();
            case JsonTokenType.String:
                {
                    var text = reader.GetString()!;
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return parsed;
                    }

                    throw new JsonException($"'{text}' is not a number.");
                }

            default:
                throw new JsonException($"Expected a number, not {reader.TokenType}.");
        }
    }
}
