using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>
/// Whether an output type may feed an input type, as the server's <c>validate_node_input</c> decides (non-strict): equal; either is
/// <c>*</c> or the V3 match type; a list of options into <c>COMBO</c>; or, for two strings, comma-separated sets (items trimmed) that
/// share a type or contain <c>*</c>.
/// </summary>
internal static class TypeMatch
{
    private const string Any = "*";
    private const string MatchType = "COMFY_MATCHTYPE_V3";
    private const string Combo = "COMBO";

    public static bool Accepts(PyValue receivedType, PyValue inputType)
    {
        if (receivedType.PyEquals(inputType))
        {
            return true;
        }

        if (Is(receivedType, Any) || Is(inputType, Any) || Is(receivedType, MatchType) || Is(inputType, MatchType))
        {
            return true;
        }

        if (receivedType is PyList && Is(inputType, Combo))
        {
            return true;
        }

        if (receivedType is not PyStr received || inputType is not PyStr input)
        {
            return false;
        }

        var receivedSet = Split(received.Value);
        var inputSet = Split(input.Value);
        return receivedSet.Contains(Any) || inputSet.Contains(Any) || receivedSet.Overlaps(inputSet);
    }

    private static bool Is(PyValue value, string type) => value is PyStr s && s.Value == type;

    // Python's str.strip() removes Unicode white space.
    private static HashSet<string> Split(string types) =>
        types.Split(',').Select(t => t.Trim(PythonWhitespace)).ToHashSet(StringComparer.Ordinal);

    private static readonly char[] PythonWhitespace = Enumerable.Range(0, 0x3001).Where(PyConvert.IsPythonSpace).Select(c => (char)c).ToArray();
}
