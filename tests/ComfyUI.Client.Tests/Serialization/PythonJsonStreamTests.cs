using System.Globalization;
using System.Text;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.Tests.Serialization;

public sealed class PythonJsonStreamTests
{
    /// <summary>Hands out one byte per read, so every token is split across reads.</summary>
    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
    }

    [Theory]
    [InlineData("""{"a": NaN, "b": -Infinity, "c": [Infinity, -1, NaN]}""", """{"a": "NaN", "b": "-Infinity", "c": ["Infinity", -1, "NaN"]}""")]
    [InlineData("""{"s": "NaN \" Infinity -Infinity", "t": true, "n": null}""", """{"s": "NaN \" Infinity -Infinity", "t": true, "n": null}""")]
    [InlineData("""[-1.5e3, NaN]""", """[-1.5e3, "NaN"]""")]
    [InlineData("""NaN""", "\"NaN\"")]
    [InlineData("""[-Infinity]""", """["-Infinity"]""")]
    public async Task Quotes_bare_python_literals_only_outside_strings(string input, string expected)
    {
        await using var stream = new PythonJsonStream(new OneByteStream(Encoding.UTF8.GetBytes(input)));
        using var reader = new StreamReader(stream);

        Assert.Equal(expected, await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Passes_a_large_real_body_through_byte_for_byte()
    {
        var body = Fixture.HttpBytes("object_info.json");
        await using var stream = new PythonJsonStream(new MemoryStream(body));
        using var copy = new MemoryStream();

        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);

        Assert.Equal(body, copy.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public async Task Quotes_every_literal_whatever_the_chunk_boundaries(int chunk)
    {
        // Many literals and strings that look like them, long enough to cross the stream's own 16 KB input chunks many times.
        var input = new StringBuilder("[");
        var expected = new StringBuilder("[");
        for (var i = 0; i < 5_000; i++)
        {
            input.Append(CultureInfo.InvariantCulture, $"NaN, -Infinity, \"a\\\"NaN-Infinity\", -{i}, Infinity, {{\"k\": -Infinity}}, ");
            expected.Append(CultureInfo.InvariantCulture, $"\"NaN\", \"-Infinity\", \"a\\\"NaN-Infinity\", -{i}, \"Infinity\", {{\"k\": \"-Infinity\"}}, ");
        }

        input.Append("NaN]");
        expected.Append("\"NaN\"]");
        await using var stream = new PythonJsonStream(new ChunkedStream(Encoding.UTF8.GetBytes(input.ToString()), chunk));
        using var reader = new StreamReader(stream);

        Assert.Equal(expected.ToString(), await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
