using System.Globalization;
using System.Text;

namespace ComfyUI.Client.Validation.Python;

/// <summary>
/// Python's <c>repr(float)</c>: the shortest digits that read back to the same double (what .NET's "R" format finds too), laid
/// out by Python's rule: positional when the decimal exponent is in [-4, 16), else <c>d.ddde±XX</c>; always a <c>.0</c> or an
/// exponent, so <c>1.0</c>, <c>0.0001</c>, <c>1e-05</c>, <c>1e+16</c>, <c>inf</c>, <c>nan</c>.
/// </summary>
internal static class PyFloatFormat
{
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "R" gives the shortest round-trip digits, e.g. "1.5E+16", "1E-05", "123.456", "-0.1".
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var (digits, pointPosition) = Decompose(shortest);
        var builder = new StringBuilder();
        if (value < 0)
        {
            builder.Append('-');
        }

        // pointPosition: value = 0.d1d2d3… × 10^pointPosition (Python's decpt).
        if (pointPosition is > -4 and <= 16)
        {
            if (pointPosition <= 0)
            {
                builder.Append("0.").Append('0', -pointPosition).Append(digits);
            }
            else if (pointPosition < digits.Length)
            {
                builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
            }
            else
            {
                builder.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
            }
        }
        else
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var exponent = pointPosition - 1;
            builder.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>Splits .NET round-trip text into significant digits (no leading/trailing zeros) and Python's decimal point position.</summary>
    private static (string Digits, int PointPosition) Decompose(string text)
    {
        var span = text.AsSpan();
        if (span[0] == '-')
        {
            span = span[1..];
        }

        var exponent = 0;
        var e = span.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponent = int.Parse(span[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            span = span[..e];
        }

        var dot = span.IndexOf('.');
        string intPart = dot >= 0 ? span[..dot].ToString() : span.ToString();
        string fracPart = dot >= 0 ? span[(dot + 1)..].ToString() : "";
        var all = intPart + fracPart;
        var pointPosition = intPart.Length + exponent;
        var leading = 0;
        while (leading < all.Length - 1 && all[leading] == '0')
        {
            leading++;
        }

        all = all[leading..];
        pointPosition -= leading;
        all = all.TrimEnd('0');
        return (all.Length == 0 ? "0" : all, pointPosition);
    }
}
