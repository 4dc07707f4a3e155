using System;
using System.Collections.Generic;
using System.Text;

namespace ComfyUI.Client.Generators.CodeGen.Naming;

/// <summary>
/// The naming rules of the generated code. Deterministic: the same raw names always give the same identifiers.
/// <list type="bullet">
/// <item>Words are the runs of letters and digits; everything else separates them (<c>filename_prefix</c> → filename, prefix).</item>
/// <item><see cref="Pascal"/> (inputs, outputs, types, choices): a word in capitals is written as a word (<c>IMAGE</c> → <c>Image</c>,
/// <c>CLIP_VISION</c> → <c>ClipVision</c>), any other word keeps its letters and gets a capital first letter (<c>batchSize</c> → <c>BatchSize</c>).</item>
/// <item><see cref="ClassName"/> (node classes): every word keeps its letters and gets a capital first letter, so the class reads as
/// the <c>class_type</c> users know (<c>CLIPTextEncode</c>, <c>KSampler</c>, <c>VAEDecode</c>).</item>
/// <item>A name that starts with a digit gets a leading <c>_</c>; a name with no letter or digit becomes <see cref="Fallback"/>.</item>
/// <item>Clashes (two raw names, or a reserved name) are resolved by <see cref="NameScope"/>: the later name gets 2, 3, ….</item>
/// </list>
/// </summary>
internal static class Names
{
    public const string Fallback = "Value";

    /// <summary>PascalCase from a raw input, output, type or choice name.</summary>
    public static string Pascal(string raw) => Join(raw, normalizeCapitals: true);

    /// <summary>A class identifier from a raw <c>class_type</c>, keeping the casing of its words.</summary>
    public static string ClassName(string raw) => Join(raw, normalizeCapitals: false);

    private static string Join(string raw, bool normalizeCapitals)
    {
        var builder = new StringBuilder(raw.Length);
        var i = 0;
        while (i < raw.Length)
        {
            while (i < raw.Length && !IsWordChar(raw[i]))
            {
                i++;
            }

            var start = i;
            while (i < raw.Length && IsWordChar(raw[i]))
            {
                i++;
            }

            if (i > start)
            {
                AppendWord(builder, raw.Substring(start, i - start), normalizeCapitals);
            }
        }

        if (builder.Length == 0)
        {
            return Fallback;
        }

        if (char.IsDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    private static void AppendWord(StringBuilder builder, string word, bool normalizeCapitals)
    {
        var hasLower = false;
        var letters = 0;
        foreach (var c in word)
        {
            if (char.IsLetter(c))
            {
                letters++;
                hasLower |= char.IsLower(c);
            }
        }

        if (normalizeCapitals && !hasLower && letters > 1)
        {
            word = word.ToLowerInvariant();
        }

        // Capitalise the first letter (after any leading digits: "3d" → "3D" reads as written).
        var first = 0;
        while (first < word.Length && char.IsDigit(word[first]))
        {
            first++;
        }

        builder.Append(word, 0, first);
        if (first < word.Length)
        {
            builder.Append(char.ToUpperInvariant(word[first]));
            builder.Append(word, first + 1, word.Length - first - 1);
        }
    }

    /// <summary>Letters and digits of any script, as C# identifiers allow; '_' separates words.</summary>
    private static bool IsWordChar(char c) => c < 128 ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') : char.IsLetterOrDigit(c);

    /// <summary>Members every generated type inherits from <see cref="object"/>: a member with one of these names would hide it.</summary>
    public static readonly string[] ObjectMembers = { "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals" };
}

/// <summary>
/// Hands out unique identifiers in one scope (a namespace, a class's members): the first raw name to want an identifier gets it.
/// A name that clashes with a reserved one gets the scope's suffix (<c>Array</c> → <c>ArrayType</c>, <c>Outputs</c> → <c>OutputsInput</c>);
/// a name that clashes with an earlier one gets the first free number from 2 (<c>MyNode</c>, <c>MyNode2</c>).
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public NameScope(params string[] reserved)
    {
        foreach (var name in reserved)
        {
            Reserve(name);
        }
    }

    public void Reserve(string name)
    {
        _reserved.Add(name);
        _taken.Add(name);
    }

    /// <summary>The candidate when free; else the candidate followed by the first free number from 2.</summary>
    public string Claim(string candidate)
    {
        if (_taken.Add(candidate))
        {
            return candidate;
        }

        for (var n = 2; ; n++)
        {
            var numbered = candidate + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (_taken.Add(numbered))
            {
                return numbered;
            }
        }
    }

    /// <summary>Like <see cref="Claim(string)"/>, but a reserved candidate first becomes candidate + <paramref name="suffix"/>.</summary>
    public string Claim(string candidate, string suffix) => Claim(_reserved.Contains(candidate) ? candidate + suffix : candidate);
}
