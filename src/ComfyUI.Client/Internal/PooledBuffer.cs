using System.Buffers;

namespace ComfyUI.Client.Internal;

/// <summary>A growable byte buffer rented from the shared pool, returned on disposal: for reading a whole body without garbage.</summary>
internal sealed class PooledBuffer : IDisposable
{
    private byte[] _array;

    public PooledBuffer(int initialSize) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialSize, 4096));

    /// <summary>How many bytes were read.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes read (valid until disposal).</summary>
    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (Length + bytes.Length > _array.Length)
        {
            Grow(Length + bytes.Length);
        }

        bytes.CopyTo(_array.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Appends everything <paramref name="stream"/> has left.</summary>
    public async Task FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Length == _array.Length)
            {
                Grow(Length + 1);
            }

            var read = await stream.ReadAsync(_array.AsMemory(Length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            Length += read;
        }
    }

    private void Grow(int needed)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        Length = 0;
    }
}
