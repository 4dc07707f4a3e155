using System.Text;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>Writes C# lines with four-space indentation and '\n' line ends, the same bytes on every OS.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _builder = new(1 << 16);
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
            _builder.Append(text);
        }

        _builder.Append('\n');
        return this;
    }

    public CodeWriter Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string closing = "}")
    {
        _indent--;
        return Line(closing);
    }

    public override string ToString() => _builder.ToString();
}
