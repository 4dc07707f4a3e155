using System.Globalization;
using System.Text;

namespace ComfyUI.Client.Validation.Python;

/// <summary>
/// Python's <c>repr(str)</c>: single quotes unless the text has a single quote and no double quote; backslash escapes for the
/// quote, <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>; <c>\xHH</c>, <c>\uHHHH</c> or <c>\UHHHHHHHH</c> for characters Python does not
/// print (controls, format characters, separators other than the space, surrogates, private use, unassigned); the rest as is.
/// </summary>
internal static class PyStrRepr
{
    public static void Append(StringBuilder builder, string value)
    {
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            int codePoint = c;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, value[i + 1]);
                i++;
            }

            if (codePoint == quote || codePoint == '\\')
            {
                builder.Append('\\').Append((char)codePoint);
            }
            else if (codePoint == '\t')
            {
                builder.Append("\\t");
            }
            else if (codePoint == '\n')
            {
                builder.Append("\\n");
            }
            else if (codePoint == '\r')
            {
                builder.Append("\\r");
            }
            else if (codePoint < ' ' || codePoint == 0x7f)
            {
                builder.Append("\\x").Append(codePoint.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (codePoint < 0x7f || IsPrintable(codePoint))
            {
                if (codePoint > 0xffff)
                {
                    builder.Append(char.ConvertFromUtf32(codePoint));
                }
                else
                {
                    builder.Append((char)codePoint);
                }
            }
            else if (codePoint <= 0xff)
            {
                builder.Append("\\x").Append(codePoint.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (codePoint <= 0xffff)
            {
                builder.Append("\\u").Append(codePoint.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append("\\U").Append(codePoint.ToString("x8", CultureInfo.InvariantCulture));
            }
        }

        builder.Append(quote);
    }

    /// <summary>Python's <c>str.isprintable()</c> for one code point.</summary>
    public static bool IsPrintable(int codePoint)
    {
        if (codePoint == ' ')
        {
            return true;
        }

        if (codePoint is >= 0xD800 and <= 0xDFFF)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }
}
