using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Turns the reads of one connection into messages: a whole message in one read (the usual case) is parsed straight from the receive buffer;
/// fragments are gathered first; a message larger than <see cref="MaxMessageBytes"/> is skipped and reported as a
/// <see cref="ProtocolErrorMessage"/>. Preview frames are dropped unread when previews are off, and messages only subscriptions use
/// (<see cref="MessageType.OnlyForSubscribers"/>) while the socket has none.
/// </summary>
internal sealed class FrameAssembler(bool receivePreviews, SubscriberFanOut readers) : IDisposable
{
    /// <summary>The size of one receive.</summary>
    public const int ReceiveBufferSize = 128 * 1024;

    /// <summary>The largest message kept.</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _message = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
    private bool _oversized;

    /// <summary>Where the next receive writes.</summary>
    public Memory<byte> ReceiveBuffer => _buffer;

    /// <summary>
    /// Takes the result of one receive into <see cref="ReceiveBuffer"/>. Returns <see langword="false"/> while the message is incomplete;
    /// <see langword="true"/> with the parsed message (or <see langword="null"/> for a frame dropped on purpose) once it is complete.
    /// </summary>
    public bool TryComplete(ValueWebSocketReceiveResult result, out ComfyMessage? message)
    {
        message = null;
        var whole = result.EndOfMessage && _message.WrittenCount == 0 && !_oversized;
        if (!whole)
        {
            if (!_oversized && _message.WrittenCount + result.Count <= MaxMessageBytes)
            {
                _message.Write(_buffer.AsSpan(0, result.Count));
            }
            else
            {
                _oversized = true;
            }
        }

        if (!result.EndOfMessage)
        {
            return false;
        }

        var frame = whole ? _buffer.AsSpan(0, result.Count) : _message.WrittenSpan;
        var binary = result.MessageType == WebSocketMessageType.Binary;
        if (_oversized)
        {
            message = new ProtocolErrorMessage
            {
                Exception = new ComfyUIProtocolException($"A WebSocket frame is larger than {MaxMessageBytes} bytes and was skipped.", "WebSocket", null),
                IsBinary = binary,
                RawFrame = _message.WrittenMemory[..Math.Min(_message.WrittenCount, ComfyMessageParser.MaxKeptRawBytes)].ToArray(),
            };
        }
        else if (binary ? receivePreviews || !IsPreviewFrame(frame) : readers.HasSubscribers || MessageTypes.Peek(frame) is not { OnlyForSubscribers: true })
        {
            message = ComfyMessageParser.ParseOrError(frame, binary);
        }

        _message.ResetWrittenCount();
        _oversized = false;
        return true;
    }

    /// <summary>Forgets a partly received message (the connection dropped).</summary>
    public void Reset()
    {
        _message.ResetWrittenCount();
        _oversized = false;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsPreviewFrame(ReadOnlySpan<byte> frame) =>
        frame.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(frame) is ComfyMessageParser.PreviewImageEvent or ComfyMessageParser.PreviewImageWithMetadataEvent;
}
