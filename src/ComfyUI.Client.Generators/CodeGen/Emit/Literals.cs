using System;
using System.Globalization;
using System.Text;
using ComfyUI.Client.Generators.CodeGen.Json;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>C# literals for values read from <c>/object_info</c>, written exactly (no round trip through <see cref="double"/>).</summary>
internal static class Literals
{
    private static readonly decimal LongMax = long.MaxValue;

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

    /// <summary>Whether an integer input needs <see cref="ulong"/>: its maximum is above <see cref="long.MaxValue"/>.</summary>
    public static bool NeedsUInt64(string? max) => TryDecimal(max, out var value) && value > LongMax;

    /// <summary>A literal for an INT default (<c>512L</c>, <c>0UL</c>), or <see langword="null"/> when the default is not an integer.</summary>
    public static string? Integer(JsonValue value, bool unsigned)
    {
        if (value.Kind != JsonKind.Number || !TryDecimal(value.Text, out var number) || number != decimal.Truncate(number))
        {
            return null;
        }

        if (unsigned)
        {
            return number < 0 || number > ulong.MaxValue ? null : number.ToString("0", CultureInfo.InvariantCulture) + "UL";
        }

        return number < long.MinValue || number > LongMax ? null : number.ToString("0", CultureInfo.InvariantCulture) + "L";
    }

    /// <summary>A literal for a FLOAT default, from the server's own digits.</summary>
    public static string? Double(JsonValue value)
    {
        if (value.Kind != JsonKind.Number)
        {
            return null;
        }

        return value.Text switch
        {
            "NaN" => "global::System.Double.NaN",
            "Infinity" => "global::System.Double.PositiveInfinity",
            "-Infinity" => "global::System.Double.NegativeInfinity",
            _ => value.Text + "D",
        };
    }

    /// <summary>A literal for a STRING default (a number or boolean default is written as its text).</summary>
    public static string? Text(JsonValue value) => value.Kind switch
    {
        JsonKind.String => String(value.Text),
        JsonKind.Number => String(value.Text),
        _ => null,
    };

    /// <summary>A literal for a BOOLEAN default.</summary>
    public static string? Boolean(JsonValue value) => value.Kind switch
    {
        JsonKind.True => "true",
        JsonKind.False => "false",
        _ => null,
    };

    /// <summary>The JSON text of a value (for defaults of custom widget types and numeric choices).</summary>
    public static string Json(JsonValue value)
    {
        var builder = new StringBuilder();
        AppendJson(builder, value);
        return builder.ToString();
    }

    private static void AppendJson(StringBuilder builder, JsonValue value)
    {
        switch (value.Kind)
        {
            case JsonKind.Null: builder.Append("null"); break;
            case JsonKind.True: builder.Append("true"); break;
            case JsonKind.False: builder.Append("false"); break;
            case JsonKind.Number: builder.Append(value.Text); break;
            case JsonKind.String: AppendJsonString(builder, value.Text); break;
            case JsonKind.Array:
                builder.Append('[');
                for (var i = 0; i < value.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    AppendJson(builder, value.Items[i]);
                }

                builder.Append(']');
                break;
            default:
                builder.Append('{');
                for (var i = 0; i < value.Members.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    AppendJsonString(builder, value.Members[i].Key);
                    builder.Append(':');
                    AppendJson(builder, value.Members[i].Value);
                }

                builder.Append('}');
                break;
        }
    }

    private static void AppendJsonString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                default:
                    if (c < ' ')
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

        builder.Append('"');
    }

    /// <summary>The text of a JSON value as a choice is shown and sent: a string as it is, anything else as JSON.</summary>
    public static string ChoiceText(JsonValue value) => value.IsString ? value.Text : Json(value);

    public static bool TryDecimal(string? text, out decimal value)
    {
        value = 0;
        return text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
