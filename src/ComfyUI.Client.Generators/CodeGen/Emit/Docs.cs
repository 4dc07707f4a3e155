using System.Collections.Generic;
using System.Text;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>XML documentation comments: escaped text, one <c>///</c> line per source line.</summary>
internal static class Docs
{
    /// <summary>At most this many choices are listed in a property's documentation (model lists can be long).</summary>
    public const int MaxChoicesShown = 40;

    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '\r': break;
                case '\t': builder.Append(' '); break;
                default:
                    // Other control characters are not allowed in XML.
                    if (c >= ' ' || c == '\n')
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString().Trim();
    }

    /// <summary><c>&lt;c&gt;text&lt;/c&gt;</c> with the text escaped.</summary>
    public static string Code(string text) => "<c>" + Escape(text) + "</c>";

    /// <summary>Writes <c>&lt;tag&gt;</c> … <c>&lt;/tag&gt;</c> around already-escaped XML, as one or several lines.</summary>
    public static void Element(CodeWriter writer, string tag, string xml)
    {
        var lines = xml.Split('\n');
        if (lines.Length == 1)
        {
            writer.Line($"/// <{tag}>{xml}</{tag}>");
            return;
        }

        writer.Line($"/// <{tag}>");
        foreach (var line in lines)
        {
            writer.Line(line.Length == 0 ? "/// <br/>" : "/// " + line.TrimEnd());
        }

        writer.Line($"/// </{tag}>");
    }

    /// <summary>Joins sentences with spaces, skipping empty ones.</summary>
    public static string Sentences(IEnumerable<string?> parts)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            if (string.IsNullOrEmpty(part))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(part);
        }

        return builder.ToString();
    }
}
