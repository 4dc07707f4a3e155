using System.Text.Json.Nodes;
using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client;

/// <summary>
/// The aspect-ratio check of ComfyUI's partner nodes (<c>validate_aspect_ratio_string(value, (1, 4), (4, 1))</c>): <c>"X:Y"</c> with
/// positive integers, between 1:4 and 4:1 inclusive; otherwise a <c>ValueError</c>.
/// </summary>
internal static class AspectRatio
{
    private const double Low = 0.25;
    private const double High = 4.0;

    public static CustomValidationResult Check(JsonNode? value)
    {
        if (value is not JsonValue text || !text.TryGetValue<string>(out var ratio))
        {
            return CustomValidationResult.Raise("AttributeError", $"'{CoreCustomValidations.PythonTypeName(value)}' object has no attribute 'split'");
        }

        var parts = ratio.Split(':');
        if (parts.Length != 2)
        {
            return CustomValidationResult.Raise("ValueError", $"Aspect ratio must be 'X:Y' (e.g., 16:9), got '{ratio}'.");
        }

        System.Numerics.BigInteger a, b;
        try
        {
            a = PyConvert.ParseInt(StripPython(parts[0]));
            b = PyConvert.ParseInt(StripPython(parts[1]));
        }
        catch (PyException ex) when (ex.TypeName == "ValueError")
        {
            return CustomValidationResult.Raise("ValueError", $"Aspect ratio must contain integers separated by ':', got '{ratio}'.");
        }

        if (a <= 0 || b <= 0)
        {
            return CustomValidationResult.Raise("ValueError", $"Aspect ratio parts must be positive integers, got {a}:{b}.");
        }

        var ar = PyConvert.IntToFloat(a) / PyConvert.IntToFloat(b);
        if (ar < Low)
        {
            return CustomValidationResult.Raise("ValueError", $"Aspect ratio `{PyFormat.General(ar, 2)}` must be ≤ {PyFormat.General(Low, 2)}.");
        }

        if (ar > High)
        {
            return CustomValidationResult.Raise("ValueError", $"Aspect ratio `{PyFormat.General(ar, 2)}` must be ≤ {PyFormat.General(High, 2)}.");
        }

        return CustomValidationResult.Valid;
    }

    private static string StripPython(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && PyConvert.IsPythonSpace(text[start]))
        {
            start++;
        }

        while (end > start && PyConvert.IsPythonSpace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }
}
