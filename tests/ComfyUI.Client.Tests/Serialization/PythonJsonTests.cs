using System.Globalization;
using System.Text;
using ComfyUI.Client.Internal;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.Tests.Serialization;

public sealed class PythonJsonTests
{
    [Theory]
    [InlineData("""{"a": NaN, "b": -Infinity, "c": [Infinity, -1, NaN]}""", """{"a": "NaN", "b": "-Infinity", "c": ["Infinity", -1, "NaN"]}""")]
    [InlineData("""{"s": "NaN \" Infinity -Infinity", "t": true, "n": null}""", """{"s": "NaN \" Infinity -Infinity", "t": true, "n": null}""")]
    [InlineData("""[-1.5e3, NaN]""", """[-1.5e3, "NaN"]""")]
    [InlineData("""NaN""", "\"NaN\"")]
    [InlineData("""[-Infinity]""", """["-Infinity"]""")]
    public void Quotes_bare_python_literals_only_outside_strings(string input, string expected)
    {
        Assert.Equal(expected, Quote(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void Passes_a_large_real_body_through_byte_for_byte()
    {
        var body = Fixture.HttpBytes("object_info.json");

        Assert.Equal(Encoding.UTF8.GetString(body), Quote(body));
    }

    [Fact]
    public void Quotes_every_literal_of_a_long_body_and_leaves_look_alikes_in_strings()
    {
        // Many literals and strings that look like them, with escaped quotes inside the strings.
        var input = new StringBuilder("[");
        var expected = new StringBuilder("[");
        for (var i = 0; i < 5_000; i++)
        {
            input.Append(CultureInfo.InvariantCulture, $"NaN, -Infinity, \"a\\\"NaN-Infinity\", -{i}, Infinity, {{\"k\": -Infinity}}, ");
            expected.Append(CultureInfo.InvariantCulture, $"\"NaN\", \"-Infinity\", \"a\\\"NaN-Infinity\", -{i}, \"Infinity\", {{\"k\": \"-Infinity\"}}, ");
        }

        input.Append("NaN]");
        expected.Append("\"NaN\"]");

        Assert.Equal(expected.ToString(), Quote(Encoding.UTF8.GetBytes(input.ToString())));
    }

    private static string Quote(byte[] input)
    {
        using var output = new PooledBuffer(16);
        PythonJson.QuoteLiterals(input, output);
        return Encoding.UTF8.GetString(output.Span);
    }
}
