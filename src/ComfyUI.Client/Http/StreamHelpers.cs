using System.Net;

namespace ComfyUI.Client.Http;

/// <summary>A response body stream that disposes its <see cref="HttpResponseMessage"/> when disposed.</summary>
internal sealed class ResponseStream : Stream
{
    private readonly Stream _inner;
    private readonly HttpResponseMessage _response;

    public ResponseStream(Stream inner, HttpResponseMessage response)
    {
        _inner = inner;
        _response = response;
    }

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

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) =>
        _inner.CopyToAsync(destination, bufferSize, cancellationToken);

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
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Request content that streams from a caller's stream (from its current position) and leaves it open.</summary>
internal sealed class LeaveOpenStreamContent : HttpContent
{
    private readonly Stream _source;

    public LeaveOpenStreamContent(Stream source) => _source = source;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _source.CopyToAsync(stream, 81920, cancellationToken);

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
