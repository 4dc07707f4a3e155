using System;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>C# literals for values read from <c>/object_info</c>, written exactly (no round trip through <see cref="double"/>).</summary>
internal static class Literals
{
    /// <summary>A C# string literal.</summary>
    public static string String(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (c < ' ' || c == '\u2028' || c == '\u2029' || c == '\u0085')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A literal for an INT default (<c>512L</c>, <c>0UL</c>), or <see langword="null"/> when the default is not an integer in range.</summary>
    public static string? Integer(JsonElement value, bool unsigned)
    {
        if (value.ValueKind != JsonValueKind.Number || !TryDecimal(value.GetRawText(), out var number) || number != decimal.Truncate(number))
        {
            return null;
        }

        if (unsigned)
        {
            return number < 0 || number > ulong.MaxValue ? null : number.ToString("0", CultureInfo.InvariantCulture) + "UL";
        }

        return number < long.MinValue || number > long.MaxValue ? null : number.ToString("0", CultureInfo.InvariantCulture) + "L";
    }

    /// <summary>A literal for a FLOAT default, from the server's own digits.</summary>
    public static string? Double(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        var text = value.GetRawText();
        return TryDecimal(text, out _) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? text + "D" : null;
    }

    /// <summary>A literal for a STRING default (a number default is written as its text).</summary>
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => String(value.GetString()!),
        JsonValueKind.Number => String(value.GetRawText()),
        _ => null,
    };

    /// <summary>A literal for a BOOLEAN default.</summary>
    public static string? Boolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>The JSON text of a value, compact (for defaults of custom widget types and numeric choices).</summary>
    public static string Json(JsonElement value)
    {
        using var stream = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The text of a value as a choice is shown and sent: a string as it is, anything else as JSON.</summary>
    public static string ChoiceText(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : Json(value);

    /// <summary>A number as the server wrote it (<see cref="decimal"/> keeps the digits: <c>0.01</c>, <c>18446744073709551615</c>).</summary>
    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static bool TryDecimal(string? text, out decimal value)
    {
        value = 0;
        return text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
