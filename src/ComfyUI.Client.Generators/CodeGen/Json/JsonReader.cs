using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ComfyUI.Client.Generators.CodeGen.Json;

/// <summary>A JSON text that cannot be read: the message names the line and column.</summary>
internal sealed class JsonReadException : Exception
{
    public JsonReadException(string message, int line, int column)
        : base($"{message} (line {line}, column {column})")
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }
}

/// <summary>
/// Reads JSON text into <see cref="JsonValue"/>s: strict RFC 8259 plus the bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>
/// that Python's json module writes into <c>/object_info</c>. Small on purpose: the generator runs inside the compiler, where a
/// dependency on System.Text.Json would have to match the host's own copy.
/// </summary>
internal sealed class JsonReader
{
    private const int MaxDepth = 256;
    private readonly string _text;
    private int _position;

    private JsonReader(string text) => _text = text;

    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text ?? throw new ArgumentNullException(nameof(text)));
        if (reader._text.Length > 0 && reader._text[0] == '\uFEFF')
        {
            reader._position = 1;
        }

        reader.SkipWhitespace();
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader._position < reader._text.Length)
        {
            throw reader.Error("Unexpected text after the JSON value");
        }

        return value;
    }

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("The JSON is nested too deeply");
        }

        if (_position >= _text.Length)
        {
            throw Error("Unexpected end of the JSON text");
        }

        var c = _text[_position];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"': return JsonValue.String(ReadString());
            case 't': Expect("true"); return JsonValue.Bool(true);
            case 'f': Expect("false"); return JsonValue.Bool(false);
            case 'n': Expect("null"); return JsonValue.Null;
            case 'N': Expect("NaN"); return JsonValue.Number("NaN");
            case 'I': Expect("Infinity"); return JsonValue.Number("Infinity");
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ReadNumber();
                }

                throw Error($"Unexpected character '{c}'");
        }
    }

    private JsonValue ReadObject(int depth)
    {
        _position++;
        var members = new List<KeyValuePair<string, JsonValue>>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _position++;
            return JsonValue.Object(members);
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("Expected a member name in double quotes");
            }

            var name = ReadString();
            SkipWhitespace();
            if (Peek() != ':')
            {
                throw Error("Expected ':' after a member name");
            }

            _position++;
            SkipWhitespace();
            members.Add(new KeyValuePair<string, JsonValue>(name, ReadValue(depth + 1)));
            SkipWhitespace();
            var next = Peek();
            _position++;
            if (next == '}')
            {
                return JsonValue.Object(members);
            }

            if (next != ',')
            {
                _position--;
                throw Error("Expected ',' or '}' in an object");
            }
        }
    }

    private JsonValue ReadArray(int depth)
    {
        _position++;
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _position++;
            return JsonValue.Array(items);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            var next = Peek();
            _position++;
            if (next == ']')
            {
                return JsonValue.Array(items);
            }

            if (next != ',')
            {
                _position--;
                throw Error("Expected ',' or ']' in an array");
            }
        }
    }

    private string ReadString()
    {
        _position++;
        var start = _position;
        StringBuilder? builder = null;
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("Unterminated string");
            }

            var c = _text[_position];
            if (c == '"')
            {
                var result = builder is null ? _text.Substring(start, _position - start) : builder.Append(_text, start, _position - start).ToString();
                _position++;
                return result;
            }

            if (c < ' ')
            {
                throw Error("Control character in a string");
            }

            if (c != '\\')
            {
                _position++;
                continue;
            }

            builder ??= new StringBuilder();
            builder.Append(_text, start, _position - start);
            _position++;
            if (_position >= _text.Length)
            {
                throw Error("Unterminated string");
            }

            var escape = _text[_position++];
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
                    if (_position + 4 > _text.Length
                        || !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error("Invalid \\u escape");
                    }

                    builder.Append((char)code);
                    _position += 4;
                    break;
                default:
                    _position--;
                    throw Error($"Invalid escape '\\{escape}'");
            }

            start = _position;
        }
    }

    private JsonValue ReadNumber()
    {
        var start = _position;
        if (_text[_position] == '-')
        {
            _position++;
            if (Peek() == 'I')
            {
                Expect("Infinity");
                return JsonValue.Number("-Infinity");
            }
        }

        var digits = ReadDigits();
        if (digits == 0)
        {
            throw Error("Invalid number");
        }

        if (Peek() == '.')
        {
            _position++;
            if (ReadDigits() == 0)
            {
                throw Error("Invalid number: digits must follow '.'");
            }
        }

        if (Peek() is 'e' or 'E')
        {
            _position++;
            if (Peek() is '+' or '-')
            {
                _position++;
            }

            if (ReadDigits() == 0)
            {
                throw Error("Invalid number: digits must follow the exponent");
            }
        }

        return JsonValue.Number(_text.Substring(start, _position - start));
    }

    private int ReadDigits()
    {
        var start = _position;
        while (_position < _text.Length && _text[_position] >= '0' && _text[_position] <= '9')
        {
            _position++;
        }

        return _position - start;
    }

    private void Expect(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            throw Error($"Expected '{word}'");
        }

        _position += word.Length;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
        {
            _position++;
        }
    }

    private JsonReadException Error(string message)
    {
        var line = 1;
        var lineStart = 0;
        var end = Math.Min(_position, _text.Length);
        for (var i = 0; i < end; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new JsonReadException(message, line, end - lineStart + 1);
    }
}
