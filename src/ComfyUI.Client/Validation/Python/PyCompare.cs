using System.Numerics;

namespace ComfyUI.Client.Validation.Python;

/// <summary>Python's ordering comparisons (<c>&lt;</c>, <c>&gt;</c>) between JSON values, with its <c>TypeError</c> for mixed types.</summary>
internal static class PyCompare
{
    /// <summary>Python's <c>left &lt; right</c>.</summary>
    public static bool Less(PyValue left, PyValue right) => Compare(left, right, "<") is < 0;

    /// <summary>Python's <c>left &gt; right</c>.</summary>
    public static bool Greater(PyValue left, PyValue right) => Compare(left, right, ">") is > 0;

    /// <summary>
    /// Orders two values as Python does for <c>&lt;</c>/<c>&gt;</c>: numbers exactly (int against float without rounding),
    /// strings by code point, lists item by item. <see langword="null"/> means unordered (a NaN).
    /// </summary>
    private static int? Compare(PyValue left, PyValue right, string op)
    {
        switch (left, right)
        {
            case (PyNumber a, PyNumber b):
                return CompareNumbers(a, b);
            case (PyStr a, PyStr b):
                return CompareCodePoints(a.Value, b.Value);
            case (PyList a, PyList b):
                for (var i = 0; i < a.Count && i < b.Count; i++)
                {
                    if (!ReferenceEquals(a[i], b[i]) && !a[i].PyEquals(b[i]))
                    {
                        // The first differing items decide, with the same operator.
                        return op == "<" ? (Less(a[i], b[i]) ? -1 : 1) : (Greater(a[i], b[i]) ? 1 : -1);
                    }
                }

                return a.Count.CompareTo(b.Count);
            default:
                throw PyException.TypeError($"'{op}' not supported between instances of '{left.TypeName}' and '{right.TypeName}'");
        }
    }

    /// <summary>Compares two numbers exactly; <see langword="null"/> when either is NaN.</summary>
    public static int? CompareNumbers(PyNumber left, PyNumber right)
    {
        if (left is PyFloat lf && right is PyFloat rf)
        {
            return double.IsNaN(lf.Value) || double.IsNaN(rf.Value) ? null : lf.Value.CompareTo(rf.Value);
        }

        if (left is PyFloat f)
        {
            return -CompareIntToFloat(ToBigInteger(right), f.Value);
        }

        if (right is PyFloat g)
        {
            return CompareIntToFloat(ToBigInteger(left), g.Value);
        }

        return ToBigInteger(left).CompareTo(ToBigInteger(right));
    }

    /// <summary>The integer value of a <c>bool</c> or <c>int</c>.</summary>
    public static BigInteger ToBigInteger(PyNumber number) => number switch
    {
        PyBool b => b.Value ? BigInteger.One : BigInteger.Zero,
        PyInt i => i.Value,
        _ => throw new ArgumentException("Not an integer.", nameof(number)),
    };

    private static int? CompareIntToFloat(BigInteger integer, double value)
    {
        if (double.IsNaN(value))
        {
            return null;
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? -1 : 1;
        }

        var whole = Math.Truncate(value);
        var byWhole = integer.CompareTo(new BigInteger(whole));
        if (byWhole != 0)
        {
            return byWhole;
        }

        var fraction = value - whole;
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
    }

    private static int CompareCodePoints(string a, string b)
    {
        var i = 0;
        var j = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = CodePointAt(a, ref i);
            var y = CodePointAt(b, ref j);
            if (x != y)
            {
                return x < y ? -1 : 1;
            }
        }

        return (i < a.Length).CompareTo(j < b.Length);
    }

    private static int CodePointAt(string s, ref int index)
    {
        var c = s[index++];
        if (char.IsHighSurrogate(c) && index < s.Length && char.IsLowSurrogate(s[index]))
        {
            return char.ConvertToUtf32(c, s[index++]);
        }

        return c;
    }
}
