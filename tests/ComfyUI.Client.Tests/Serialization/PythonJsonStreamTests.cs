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
}
