using System.Globalization;
using System.Numerics;
using System.Text;

namespace ComfyUI.Client.Validation.Python;

/// <summary>
/// Python's <c>int()</c>, <c>float()</c>, <c>str()</c> and <c>bool()</c> on JSON values, with the exceptions and messages CPython 3.13
/// raises: <c>int("20.7")</c> fails, <c>int(20.7)</c> is 20, <c>int(" 4_2 ")</c> is 42, <c>float("inf")</c> is infinity,
/// <c>int(None)</c> is a <c>TypeError</c>.
/// </summary>
internal static class PyConvert
{
    private const int MaxStringDigits = 4300;
    private const string AsciiSpaces = " \t\n\v\f\r";

    /// <summary>Python's <c>int(value)</c>.</summary>
    public static PyValue ToInt(PyValue value) => value switch
    {
        PyInt => value,
        PyBool b => new PyInt(b.Value ? BigInteger.One : BigInteger.Zero),
        PyFloat f => new PyInt(FloatToInt(f.Value)),
        PyStr s => new PyInt(ParseInt(s.Value)),
        _ => throw PyException.TypeError($"int() argument must be a string, a bytes-like object or a real number, not '{value.TypeName}'"),
    };

    /// <summary>Python's <c>float(value)</c>.</summary>
    public static PyValue ToFloat(PyValue value) => value switch
    {
        PyFloat => value,
        PyBool b => new PyFloat(b.Value ? 1 : 0),
        PyInt i => new PyFloat(IntToFloat(i.Value)),
        PyStr s => new PyFloat(ParseFloat(s.Value)),
        _ => throw PyException.TypeError($"float() argument must be a string or a real number, not '{value.TypeName}'"),
    };

    /// <summary>Python's <c>str(value)</c>.</summary>
    public static PyValue ToStr(PyValue value) => value as PyStr ?? new PyStr(value.Str());

    /// <summary>Python's <c>bool(value)</c>.</summary>
    public static PyValue ToBool(PyValue value) => value as PyBool ?? PyBool.Of(value.IsTruthy);

    /// <summary><c>int(float)</c>: truncates toward zero.</summary>
    public static BigInteger FloatToInt(double value)
    {
        if (double.IsNaN(value))
        {
            throw PyException.ValueError("cannot convert float NaN to integer");
        }

        if (double.IsInfinity(value))
        {
            throw new PyException("OverflowError", "cannot convert float infinity to integer");
        }

        return new BigInteger(Math.Truncate(value));
    }

    /// <summary><c>float(int)</c>: rounds half to even, fails past the largest double.</summary>
    public static double IntToFloat(BigInteger value)
    {
        var magnitude = BigInteger.Abs(value);
        var bits = magnitude.IsZero ? 0 : (int)magnitude.GetBitLength();
        double result;
        if (bits <= 53)
        {
            result = (double)magnitude;
        }
        else
        {
            // Keep 53 significant bits, round half to even on the rest, then scale back.
            var shift = bits - 53;
            var top = magnitude >> shift;
            var rest = magnitude - (top << shift);
            var half = BigInteger.One << (shift - 1);
            if (rest > half || (rest == half && !top.IsEven))
            {
                top += 1;
            }

            result = Math.ScaleB((double)top, shift);
        }

        if (double.IsInfinity(result))
        {
            throw new PyException("OverflowError", "int too large to convert to float");
        }

        return value.Sign < 0 ? -result : result;
    }

    /// <summary><c>int(str)</c> in base 10: whitespace around, a sign, Unicode decimal digits, single underscores between digits.</summary>
    public static BigInteger ParseInt(string text)
    {
        var ascii = ToAsciiDigitsAndSpaces(text);
        var span = ascii.AsSpan().Trim(AsciiSpaces);
        var negative = false;
        if (span.Length > 0 && (span[0] == '+' || span[0] == '-'))
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        var digits = StripUnderscores(span);
        if (digits is null)
        {
            // CPython formats the text with %.200R: its repr, cut at 200 characters.
            var repr = new PyStr(text).Repr();
            throw PyException.ValueError($"invalid literal for int() with base 10: {CutCodePoints(repr, 200)}");
        }

        if (digits.Length > MaxStringDigits)
        {
            throw PyException.ValueError(
                $"Exceeds the limit ({MaxStringDigits} digits) for integer string conversion: value has {digits.Length} digits; use sys.set_int_max_str_digits() to increase the limit");
        }

        var result = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return negative ? -result : result;
    }

    /// <summary>
    /// <c>float(str)</c>: whitespace around, a sign, then <c>inf</c>/<c>infinity</c>/<c>nan</c> (any case) or a decimal number with
    /// an optional exponent; single underscores between digits; too large gives infinity.
    /// </summary>
    public static double ParseFloat(string text)
    {
        var ascii = ToAsciiDigitsAndSpaces(text);
        var body = ascii.AsSpan().Trim(AsciiSpaces);
        var negative = false;
        if (body.Length > 0 && (body[0] == '+' || body[0] == '-'))
        {
            negative = body[0] == '-';
            body = body[1..];
        }

        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        var number = ParseDecimal(body);
        if (number is null)
        {
            throw PyException.ValueError($"could not convert string to float: {new PyStr(text).Repr()}");
        }

        var value = double.Parse(number, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    /// <summary>Checks <c>digits [. digits] [e [sign] digits]</c> (or <c>. digits</c>) with underscores only between digits; returns it without underscores.</summary>
    private static string? ParseDecimal(ReadOnlySpan<char> body)
    {
        var e = body.IndexOfAny('e', 'E');
        var mantissa = e >= 0 ? body[..e] : body;
        var exponent = e >= 0 ? body[(e + 1)..] : default;
        var dot = mantissa.IndexOf('.');
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : default;
        var intDigits = intPart.Length == 0 ? "" : StripUnderscores(intPart);
        var fracDigits = fracPart.Length == 0 ? "" : StripUnderscores(fracPart);
        if (intDigits is null || fracDigits is null || (intDigits.Length == 0 && fracDigits.Length == 0))
        {
            return null;
        }

        var builder = new StringBuilder(intDigits.Length == 0 ? "0" : intDigits);
        if (fracDigits.Length > 0)
        {
            builder.Append('.').Append(fracDigits);
        }

        if (e >= 0)
        {
            var sign = "";
            if (exponent.Length > 0 && (exponent[0] == '+' || exponent[0] == '-'))
            {
                sign = exponent[0] == '-' ? "-" : "";
                exponent = exponent[1..];
            }

            var expDigits = StripUnderscores(exponent);
            if (expDigits is null)
            {
                return null;
            }

            // Exponents beyond what double.Parse takes are clamped: the value is 0 or infinity either way.
            var trimmed = expDigits.TrimStart('0');
            builder.Append('e').Append(sign).Append(trimmed.Length > 6 ? "999999" : trimmed.Length == 0 ? "0" : trimmed);
        }

        return builder.ToString();
    }

    /// <summary>ASCII digits with single underscores between them, returned without the underscores; otherwise <see langword="null"/>.</summary>
    private static string? StripUnderscores(ReadOnlySpan<char> span)
    {
        if (span.Length == 0 || span[0] == '_' || span[^1] == '_')
        {
            return null;
        }

        var builder = new StringBuilder(span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '_')
            {
                if (span[i - 1] == '_')
                {
                    return null;
                }

                continue;
            }

            if (c is < '0' or > '9')
            {
                return null;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// What CPython does before parsing a number from text: Unicode decimal digits become ASCII digits and Unicode white space
    /// becomes a space; any other non-ASCII character makes the text invalid (kept as a character that matches nothing).
    /// </summary>
    private static string ToAsciiDigitsAndSpaces(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            int codePoint = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            if (codePoint < 127)
            {
                builder.Append((char)codePoint);
            }
            else if (IsPythonSpace(codePoint))
            {
                builder.Append(' ');
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.DecimalDigitNumber)
            {
                builder.Append((char)('0' + (int)CharUnicodeInfo.GetNumericValue(char.ConvertFromUtf32(codePoint), 0)));
            }
            else
            {
                builder.Append('?');
            }
        }

        return builder.ToString();
    }

    private static string CutCodePoints(string text, int max)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (count == max)
            {
                return text[..i];
            }

            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }

            count++;
        }

        return text;
    }

    /// <summary>Python's <c>str.isspace()</c> for one code point.</summary>
    public static bool IsPythonSpace(int c) =>
        c is (>= 0x09 and <= 0x0D) or (>= 0x1C and <= 0x20) or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;
}
