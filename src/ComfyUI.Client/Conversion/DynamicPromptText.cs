using System.Text;
using System.Text.RegularExpressions;

namespace ComfyUI.Client.Conversion;

/// <summary>
/// What the editor does to the text of a widget marked <c>dynamicPrompts</c> before it sends it: C-style comments removed
/// (<c>/* … */</c>, and <c>//</c> to the end of the line), then each <c>{a|b|c}</c> group replaced by one of its choices (nested groups
/// allowed; <c>\{</c>, <c>\|</c>, <c>\}</c> are literal).
/// </summary>
internal static partial class DynamicPromptText
{
    // Like JavaScript's "." the line comment stops at any line terminator.
    [GeneratedRegex(@"/\*[\s\S]*?\*/|//[^\n\r\u2028\u2029]*", RegexOptions.CultureInvariant)]
    private static partial Regex Comments();

    [GeneratedRegex(@"\\([{}|])", RegexOptions.CultureInvariant)]
    private static partial Regex Escapes();

    public static string Process(string text, Random random)
    {
        var input = Comments().Replace(text, "");
        var position = 0;
        var result = Expand(input, ref position, random);
        return Escapes().Replace(result, "$1");
    }

    private static string Expand(string input, ref int position, Random random)
    {
        var result = new StringBuilder();
        while (position < input.Length)
        {
            var c = input[position++];
            if (c == '\\')
            {
                result.Append('\\');
                if (position < input.Length)
                {
                    result.Append(input[position++]);
                }
            }
            else if (c == '{')
            {
                result.Append(Choose(input, ref position, random));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>Reads a group after its '{' up to the matching '}' and returns one processed choice.</summary>
    private static string Choose(string input, ref int position, Random random)
    {
        var options = new List<string>();
        var choice = new StringBuilder();
        var depth = 0;
        while (position < input.Length)
        {
            var c = input[position++];
            if (c == '\\')
            {
                choice.Append('\\');
                if (position < input.Length)
                {
                    choice.Append(input[position++]);
                }

                continue;
            }

            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if (c == '|' && depth == 0)
            {
                options.Add(choice.ToString());
                choice.Clear();
                continue;
            }

            choice.Append(c);
        }

        options.Add(choice.ToString());
        // The chosen text is processed again as a whole prompt (its own groups, comments and escapes).
        return Process(options[random.Next(options.Count)], random);
    }
}
