using System.Globalization;

namespace ComfyUI.Client;

/// <summary>
/// Local names that do not replace an existing file, the way ComfyUI names what it saves: <c>ComfyUI_00001_.png</c> is followed by
/// <c>ComfyUI_00002_.png</c>, <c>ComfyUI_00003_.png</c>…; any other name by <c>name (1).png</c>, <c>name (2).png</c>… (as ComfyUI's
/// upload does).
/// </summary>
internal static class FreeFileNames
{
    /// <summary>The path itself, then the names to try after it, in order (endless).</summary>
    public static IEnumerable<string> Candidates(string path)
    {
        yield return path;
        var folder = Path.GetDirectoryName(path) ?? "";
        var extension = Path.GetExtension(path);
        var stem = Path.GetFileNameWithoutExtension(path);
        if (TrySplitCounter(stem, out var prefix, out var counter, out var digits))
        {
            for (var next = counter + 1; ; next++)
            {
                yield return Path.Combine(folder, prefix + "_" + next.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + "_" + extension);
            }
        }

        for (var i = 1; ; i++)
        {
            yield return Path.Combine(folder, stem + " (" + i.ToString(CultureInfo.InvariantCulture) + ")" + extension);
        }
    }

    /// <summary>"ComfyUI_00001_" → ("ComfyUI", 1, 5): ComfyUI's <c>{prefix}_{counter:05}_</c>.</summary>
    private static bool TrySplitCounter(string stem, out string prefix, out long counter, out int digits)
    {
        prefix = "";
        counter = 0;
        digits = 0;
        if (stem.Length < 8 || stem[^1] != '_')
        {
            return false;
        }

        var start = stem.LastIndexOf('_', stem.Length - 2);
        var number = start < 0 ? default : stem.AsSpan(start + 1, stem.Length - start - 2);
        if (start <= 0 || number.Length < 5 || number.Length > 18 || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out counter))
        {
            return false;
        }

        prefix = stem[..start];
        digits = number.Length;
        return true;
    }
}
