using System.Globalization;
using System.Numerics;
using System.Text;

namespace ComfyUI.Client.Validation.Python;

/// <summary>Python's <c>format(x, ".{p}g")</c> for floats: p significant digits, rounded half to even on the exact binary value.</summary>
internal static class PyFormat
{
    public static string General(double value, int precision)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var sign = value < 0 || double.IsNegative(value) ? "-" : "";
        if (value == 0)
        {
            return sign + "0";
        }

        var (digits, point) = ExactDigits(Math.Abs(value));
        (digits, point) = Round(digits, point, precision);
        var exponent = point - 1;
        var builder = new StringBuilder(sign);
        if (exponent >= -4 && exponent < precision)
        {
            // Positional, trailing zeros removed.
            if (point <= 0)
            {
                builder.Append("0.").Append('0', -point).Append(digits.TrimEnd('0'));
            }
            else if (point >= digits.Length)
            {
                builder.Append(digits).Append('0', point - digits.Length);
            }
            else
            {
                var fraction = digits[point..].TrimEnd('0');
                builder.Append(digits, 0, point);
                if (fraction.Length > 0)
                {
                    builder.Append('.').Append(fraction);
                }
            }
        }
        else
        {
            var fraction = digits[1..].TrimEnd('0');
            builder.Append(digits[0]);
            if (fraction.Length > 0)
            {
                builder.Append('.').Append(fraction);
            }

            builder.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>All decimal digits of a positive double, with the decimal point position (value = 0.digits × 10^point).</summary>
    private static (string Digits, int Point) ExactDigits(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        string digits;
        int point;
        if (exponent >= 0)
        {
            digits = (new BigInteger(mantissa) << exponent).ToString(CultureInfo.InvariantCulture);
            point = digits.Length;
        }
        else
        {
            digits = (new BigInteger(mantissa) * BigInteger.Pow(5, -exponent)).ToString(CultureInfo.InvariantCulture);
            point = digits.Length + exponent;
        }

        var trimmed = digits.TrimStart('0');
        return (trimmed, point - (digits.Length - trimmed.Length));
    }

    private static (string Digits, int Point) Round(string digits, int point, int precision)
    {
        if (digits.Length <= precision)
        {
            return (digits, point);
        }

        var kept = BigInteger.Parse(digits[..precision], CultureInfo.InvariantCulture);
        var rest = digits[precision..];
        var roundUp = rest[0] > '5' || (rest[0] == '5' && (rest.AsSpan(1).IndexOfAnyExcept('0') >= 0 || !kept.IsEven));
        if (roundUp)
        {
            kept += 1;
        }

        var text = kept.ToString(CultureInfo.InvariantCulture);
        if (text.Length > precision)
        {
            point++;
            text = text[..precision];
        }

        return (text, point);
    }
}
