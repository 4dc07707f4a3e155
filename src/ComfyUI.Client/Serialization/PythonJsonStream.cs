namespace ComfyUI.Client.Serialization;

/// <summary>
/// Wraps a JSON body written by Python's <c>json</c> module and quotes the bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> tokens it
/// may emit (invalid JSON) so that they read as the named literals <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>. Streams; strings are untouched.
/// </summary>
internal sealed class PythonJsonStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _input = new byte[16384];
    private readonly Queue<byte> _pending = new();
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
        while (_pending.Count == 0 && !_ended)
        {
            Transform(_inner.Read(_input, 0, _input.Length));
        }

        return Drain(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.Count == 0 && !_ended)
        {
            Transform(await _inner.ReadAsync(_input, cancellationToken).ConfigureAwait(false));
        }

        return Drain(buffer.Span);
    }

    private int Drain(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length && _pending.Count > 0)
        {
            buffer[written++] = _pending.Dequeue();
        }

        return written;
    }

    private void Transform(int read)
    {
        if (read == 0)
        {
            if (_minus)
            {
                _pending.Enqueue((byte)'-');
                _minus = false;
            }

            if (_inWord)
            {
                _pending.Enqueue((byte)'"');
                _inWord = false;
            }

            _ended = true;
            return;
        }

        for (var i = 0; i < read; i++)
        {
            var b = _input[i];
            if (_inString)
            {
                _pending.Enqueue(b);
                if (_escape)
                {
                    _escape = false;
                }
                else if (b == '\\')
                {
                    _escape = true;
                }
                else if (b == '"')
                {
                    _inString = false;
                }

                continue;
            }

            if (_inWord)
            {
                if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z'))
                {
                    _pending.Enqueue(b);
                    continue;
                }

                _pending.Enqueue((byte)'"');
                _inWord = false;
            }

            if (_minus)
            {
                _minus = false;
                if (b == 'I')
                {
                    _pending.Enqueue((byte)'"');
                    _pending.Enqueue((byte)'-');
                    _pending.Enqueue(b);
                    _inWord = true;
                    continue;
                }

                _pending.Enqueue((byte)'-');
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    _pending.Enqueue(b);
                    break;
                case (byte)'-':
                    _minus = true;
                    break;
                case (byte)'N' or (byte)'I':
                    _pending.Enqueue((byte)'"');
                    _pending.Enqueue(b);
                    _inWord = true;
                    break;
                default:
                    _pending.Enqueue(b);
                    break;
            }
        }
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
