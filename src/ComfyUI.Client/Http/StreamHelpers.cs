using System.Net;
using ComfyUI.Client.Diagnostics;

namespace ComfyUI.Client.Http;

/// <summary>A response body stream that disposes its <see cref="HttpResponseMessage"/> when disposed.</summary>
/// <remarks>Counts the bytes read: they are the server's <c>comfyui.file.io</c> (receive) once the stream is disposed.</remarks>
internal sealed class ResponseStream : Stream
{
    private readonly Stream _inner;
    private readonly HttpResponseMessage _response;
    private readonly ServerEndpoint _server;
    private long _bytesRead;
    private int _disposed;

    public ResponseStream(Stream inner, HttpResponseMessage response, ServerEndpoint server)
    {
        _inner = inner;
        _response = response;
        _server = server;
    }

    /// <summary>The bytes read so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The response's content headers (type, length, disposition).</summary>
    public System.Net.Http.Headers.HttpContentHeaders Headers => _response.Content.Headers;

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _response.Content.Headers.ContentLength ?? throw new NotSupportedException("The server sent no Content-Length.");

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Counted(_inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Counted(_inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            int read;
            while ((read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                Counted(read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int Counted(int read)
    {
        Interlocked.Add(ref _bytesRead, read);
        return read;
    }

    private void Report()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ComfyMetrics.RecordFileBytes(_server, BytesRead, upload: false);
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
            Report();
            _inner.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Report();
        await _inner.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Request content that streams from a caller's stream (from its current position) and leaves it open.</summary>
/// <remarks>Counts the bytes sent: they are the server's <c>comfyui.file.io</c> (transmit).</remarks>
internal sealed class LeaveOpenStreamContent : HttpContent
{
    private readonly Stream _source;
    private readonly ServerEndpoint _server;
    private long _bytesSent;

    public LeaveOpenStreamContent(Stream source, ServerEndpoint server)
    {
        _source = source;
        _server = server;
    }

    /// <summary>The bytes sent (by the last serialization).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        long sent = 0;
        try
        {
            int read;
            while ((read = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                sent += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Exchange(ref _bytesSent, sent);
            ComfyMetrics.RecordFileBytes(_server, sent, upload: true);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_source.CanSeek)
        {
            length = _source.Length - _source.Position;
            return true;
        }

        length = 0;
        return false;
    }
}
