using System.Buffers;

namespace ComfyUI.Client.Serialization;

/// <summary>
/// Wraps a JSON body written by Python's <c>json</c> module and quotes the bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> tokens it
/// may emit (invalid JSON) so that they read as the named literals <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>. Streams; strings are untouched.
/// </summary>
internal sealed class PythonJsonStream : Stream
{
    private const int InputSize = 16384;

    // Outside strings only these matter: a string opens, a minus may start -Infinity, N/I start NaN/Infinity (JSON's own words are lowercase).
    private static readonly SearchValues<byte> OutsideSpecials = SearchValues.Create("\"-NI"u8);
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\"u8);

    private readonly Stream _inner;
    private readonly byte[] _input = new byte[InputSize];

    // Each input byte becomes at most three output bytes ("-I from a deferred minus), plus two at the end.
    private readonly byte[] _output = new byte[(InputSize * 3) + 2];
    private int _outputStart;
    private int _outputEnd;
    private bool _inString;
    private bool _escape;
    private bool _inWord;
    private bool _minus;
    private bool _ended;

    public PythonJsonStream(Stream inner) => _inner = inner;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_outputStart == _outputEnd && !_ended)
        {
            Transform(_inner.Read(_input, 0, _input.Length));
        }

        return Drain(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_outputStart == _outputEnd && !_ended)
        {
            Transform(await _inner.ReadAsync(_input, cancellationToken).ConfigureAwait(false));
        }

        return Drain(buffer.Span);
    }

    private int Drain(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _outputEnd - _outputStart);
        _output.AsSpan(_outputStart, count).CopyTo(buffer);
        _outputStart += count;
        return count;
    }

    /// <summary>Transforms one chunk of input into the (empty) output buffer: runs of ordinary bytes are found vectorized and copied whole.</summary>
    private void Transform(int read)
    {
        var output = _output;
        var o = 0;
        _outputStart = 0;
        if (read == 0)
        {
            if (_minus)
            {
                output[o++] = (byte)'-';
                _minus = false;
            }

            if (_inWord)
            {
                output[o++] = (byte)'"';
                _inWord = false;
            }

            _outputEnd = o;
            _ended = true;
            return;
        }

        var input = _input.AsSpan(0, read);
        var i = 0;
        while (i < input.Length)
        {
            if (_inString)
            {
                if (_escape)
                {
                    output[o++] = input[i++];
                    _escape = false;
                    continue;
                }

                var inString = input[i..];
                var special = inString.IndexOfAny(StringSpecials);
                var run = special < 0 ? inString.Length : special + 1;
                inString[..run].CopyTo(output.AsSpan(o));
                o += run;
                i += run;
                if (special >= 0)
                {
                    if (inString[special] == '\\')
                    {
                        _escape = true;
                    }
                    else
                    {
                        _inString = false;
                    }
                }

                continue;
            }

            if (_inWord)
            {
                var b = input[i];
                if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z'))
                {
                    output[o++] = b;
                    i++;
                    continue;
                }

                output[o++] = (byte)'"';
                _inWord = false;
            }

            if (_minus)
            {
                _minus = false;
                if (input[i] == 'I')
                {
                    output[o++] = (byte)'"';
                    output[o++] = (byte)'-';
                    output[o++] = (byte)'I';
                    i++;
                    _inWord = true;
                    continue;
                }

                output[o++] = (byte)'-';
            }

            var rest = input[i..];
            var next = rest.IndexOfAny(OutsideSpecials);
            var plain = next < 0 ? rest.Length : next;
            rest[..plain].CopyTo(output.AsSpan(o));
            o += plain;
            i += plain;
            if (next < 0)
            {
                break;
            }

            var token = input[i++];
            switch (token)
            {
                case (byte)'"':
                    output[o++] = token;
                    _inString = true;
                    break;
                case (byte)'-':
                    _minus = true;
                    break;
                default:
                    // N or I: NaN or Infinity becomes a string.
                    output[o++] = (byte)'"';
                    output[o++] = token;
                    _inWord = true;
                    break;
            }
        }

        _outputEnd = o;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
