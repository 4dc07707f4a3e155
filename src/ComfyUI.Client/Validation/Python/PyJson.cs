using System.Globalization;
using System.Numerics;
using System.Text;

namespace ComfyUI.Client.Validation.Python;

/// <summary>
/// Python's <c>json.loads</c> and <c>json.dumps</c> (the server's defaults): integers of any size, <c>NaN</c>/<c>Infinity</c>
/// literals, a repeated key keeps its first place and its last value; output with <c>", "</c> and <c>": "</c> separators, non-ASCII
/// escaped, floats as their Python repr.
/// </summary>
internal static class PyJson
{
    /// <summary>Reads JSON text as Python's <c>json.loads</c> does.</summary>
    /// <exception cref="FormatException">The text is not JSON Python would read; the message says where.</exception>
    public static PyValue Parse(string text)
    {
        var reader = new Reader(text);
        reader.SkipWhitespace();
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader.Position != text.Length)
        {
            throw new FormatException($"Extra data after the JSON value at character {reader.Position}.");
        }

        return value;
    }

    /// <summary>Writes a value as Python's <c>json.dumps</c> does with its defaults.</summary>
    /// <param name="value">The value.</param>
    /// <param name="quoteLiterals">Write NaN and the infinities as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (standard JSON, as the SDK reads server bodies).</param>
    public static string Dump(PyValue value, bool quoteLiterals = false)
    {
        var builder = new StringBuilder();
        Write(builder, value, quoteLiterals);
        return builder.ToString();
    }

    /// <summary>Appends a value as Python's <c>json.dumps</c> writes it.</summary>
    public static void Write(StringBuilder builder, PyValue value, bool quoteLiterals = false)
    {
        switch (value)
        {
            case PyNone:
                builder.Append("null");
                break;
            case PyBool b:
                builder.Append(b.Value ? "true" : "false");
                break;
            case PyInt i:
                builder.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case PyFloat f when double.IsFinite(f.Value):
                builder.Append(PyFloatFormat.Repr(f.Value));
                break;
            case PyFloat f:
                var literal = double.IsNaN(f.Value) ? "NaN" : f.Value > 0 ? "Infinity" : "-Infinity";
                builder.Append(quoteLiterals ? $"\"{literal}\"" : literal);
                break;
            case PyStr s:
                WriteString(builder, s.Value);
                break;
            case PyList list:
                builder.Append('[');
                for (var n = 0; n < list.Count; n++)
                {
                    if (n > 0)
                    {
                        builder.Append(", ");
                    }

                    Write(builder, list[n], quoteLiterals);
                }

                builder.Append(']');
                break;
            case PyDict dict:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in dict.Items)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    WriteString(builder, key);
                    builder.Append(": ");
                    Write(builder, item, quoteLiterals);
                }

                builder.Append('}');
                break;
            default:
                throw new ArgumentException($"Unknown value type {value.GetType().Name}.", nameof(value));
        }
    }

    /// <summary>A JSON string with <c>ensure_ascii</c>: <c>\"</c>, <c>\\</c>, <c>\n</c>… and <c>\uXXXX</c> for the rest outside printable ASCII.</summary>
    public static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    private sealed class Reader(string text)
    {
        private const int MaxDepth = 900;

        public int Position { get; private set; }

        public void SkipWhitespace()
        {
            while (Position < text.Length && text[Position] is ' ' or '\t' or '\n' or '\r')
            {
                Position++;
            }
        }

        public PyValue ReadValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Fail("nesting too deep");
            }

            if (Position >= text.Length)
            {
                throw Fail("expecting a value");
            }

            var c = text[Position];
            switch (c)
            {
                case '{':
                    return ReadObject(depth);
                case '[':
                    return ReadArray(depth);
                case '"':
                    return new PyStr(ReadString());
                case 'n' when Matches("null"):
                    Position += 4;
                    return PyNone.Instance;
                case 't' when Matches("true"):
                    Position += 4;
                    return PyBool.True;
                case 'f' when Matches("false"):
                    Position += 5;
                    return PyBool.False;
                case 'N' when Matches("NaN"):
                    Position += 3;
                    return new PyFloat(double.NaN);
                case 'I' when Matches("Infinity"):
                    Position += 8;
                    return new PyFloat(double.PositiveInfinity);
                case '-' when Matches("-Infinity"):
                    Position += 9;
                    return new PyFloat(double.NegativeInfinity);
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return ReadNumber();
                    }

                    throw Fail("expecting a value");
            }
        }

        private bool Matches(string word) => string.CompareOrdinal(text, Position, word, 0, word.Length) == 0;

        private PyDict ReadObject(int depth)
        {
            Position++;
            var dict = new PyDict();
            SkipWhitespace();
            if (Position < text.Length && text[Position] == '}')
            {
                Position++;
                return dict;
            }

            while (true)
            {
                SkipWhitespace();
                if (Position >= text.Length || text[Position] != '"')
                {
                    throw Fail("expecting a property name in double quotes");
                }

                var key = ReadString();
                SkipWhitespace();
                Expect(':');
                SkipWhitespace();
                dict[key] = ReadValue(depth + 1);
                SkipWhitespace();
                if (Position < text.Length && text[Position] == ',')
                {
                    Position++;
                    continue;
                }

                Expect('}');
                return dict;
            }
        }

        private PyList ReadArray(int depth)
        {
            Position++;
            var items = new List<PyValue>();
            SkipWhitespace();
            if (Position < text.Length && text[Position] == ']')
            {
                Position++;
                return new PyList(items);
            }

            while (true)
            {
                SkipWhitespace();
                items.Add(ReadValue(depth + 1));
                SkipWhitespace();
                if (Position < text.Length && text[Position] == ',')
                {
                    Position++;
                    continue;
                }

                Expect(']');
                return new PyList(items);
            }
        }

        private string ReadString()
        {
            Position++;
            var builder = new StringBuilder();
            while (true)
            {
                if (Position >= text.Length)
                {
                    throw Fail("unterminated string");
                }

                var c = text[Position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c < ' ')
                {
                    throw Fail("invalid control character in a string");
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                if (Position >= text.Length)
                {
                    throw Fail("unterminated string");
                }

                var escape = text[Position++];
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (Position + 4 > text.Length || !ushort.TryParse(text.AsSpan(Position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit))
                        {
                            throw Fail("invalid \\u escape");
                        }

                        // Lone surrogates stay as they are, as in Python.
                        builder.Append((char)unit);
                        Position += 4;
                        break;
                    default:
                        throw Fail("invalid escape");
                }
            }
        }

        private PyValue ReadNumber()
        {
            var start = Position;
            if (text[Position] == '-')
            {
                Position++;
            }

            if (Position >= text.Length || !char.IsAsciiDigit(text[Position]))
            {
                throw Fail("expecting a value");
            }

            if (text[Position] == '0')
            {
                Position++;
            }
            else
            {
                SkipDigits();
            }

            var isFloat = false;
            if (Position + 1 < text.Length && text[Position] == '.' && char.IsAsciiDigit(text[Position + 1]))
            {
                isFloat = true;
                Position++;
                SkipDigits();
            }

            if (Position < text.Length && text[Position] is 'e' or 'E')
            {
                var save = Position;
                Position++;
                if (Position < text.Length && text[Position] is '+' or '-')
                {
                    Position++;
                }

                if (Position < text.Length && char.IsAsciiDigit(text[Position]))
                {
                    isFloat = true;
                    SkipDigits();
                }
                else
                {
                    Position = save;
                }
            }

            var number = text.AsSpan(start, Position - start);
            if (isFloat)
            {
                return new PyFloat(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture));
            }

            return new PyInt(BigInteger.Parse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        private void SkipDigits()
        {
            while (Position < text.Length && char.IsAsciiDigit(text[Position]))
            {
                Position++;
            }
        }

        private void Expect(char c)
        {
            if (Position >= text.Length || text[Position] != c)
            {
                throw Fail($"expecting '{c}'");
            }

            Position++;
        }

        private FormatException Fail(string what) => new($"Invalid JSON: {what} at character {Position}.");
    }
}
