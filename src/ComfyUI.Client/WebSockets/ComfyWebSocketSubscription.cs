using ComfyUI.Client.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ComfyUI.Client;

/// <summary>
/// One independent reader of a <see cref="ComfyWebSocket"/>: it sees every message from the moment it subscribed, in order, through its own
/// bounded buffer. A full buffer holds the socket back (back-pressure) — except previews, which are dropped when
/// <see cref="ComfyWebSocketOptions.DropPreviewsWhenFull"/> is on. Dispose it when done, or it holds the socket back once its buffer is full.
/// </summary>
public sealed class ComfyWebSocketSubscription : IAsyncDisposable
{
    private readonly Channel<ComfyMessage> _channel;
    private readonly SubscriberFanOut? _fanOut;
    private readonly bool _dropPreviewsWhenFull;
    private long _droppedPreviews;
    private long _droppedUnread;
    private int _disposed;
    private volatile bool _reading;

    /// <summary>The stream nobody reads yet filled up: until someone reads it, it stays full, so later messages skip the channel (and its lock).</summary>
    private volatile bool _unreadFull;

    internal ComfyWebSocketSubscription(SubscriberFanOut? fanOut, int capacity, bool dropPreviewsWhenFull, bool bufferUntilRead)
    {
        _fanOut = fanOut;
        _dropPreviewsWhenFull = dropPreviewsWhenFull;
        _reading = !bufferUntilRead;
        _channel = Channel.CreateBounded<ComfyMessage>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>How many previews were dropped because this subscriber was full.</summary>
    public long DroppedPreviews => Interlocked.Read(ref _droppedPreviews);

    /// <summary>Whether the stream has ended (socket closed or failed, or the subscription disposed).</summary>
    public bool IsCompleted => _channel.Reader.Completion.IsCompleted;

    /// <summary>How many messages were not buffered because the socket's own stream was full before anyone read it.</summary>
    internal long DroppedUnread => Interlocked.Read(ref _droppedUnread);

    /// <summary>
    /// Reads the messages as they arrive. Ends when the socket is disposed or closed for good; throws the fatal error when the socket failed
    /// (for example <see cref="ComfyUIWebSocketException"/> when reconnecting gave up); throws <see cref="OperationCanceledException"/> promptly when
    /// <paramref name="cancellationToken"/> is cancelled. Read from one enumeration at a time.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The messages, in the order the socket received them.</returns>
    public async IAsyncEnumerable<ComfyMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _reading = true;
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                yield return message;
            }
        }
    }

    /// <summary>Stops delivery to this subscriber and ends its stream.</summary>
    /// <returns>A task that completes when it is removed.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _fanOut?.Remove(this);
            _channel.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Delivers a message: waits for room unless it is a droppable preview (or nobody reads the socket's own stream yet).</summary>
    /// <returns>Whether a preview was dropped.</returns>
    internal async ValueTask<bool> WriteAsync(ComfyMessage message, bool isPreview, CancellationToken cancellationToken)
    {
        if (_unreadFull && !_reading)
        {
            return Dropped(isPreview);
        }

        var writer = _channel.Writer;
        if (writer.TryWrite(message))
        {
            return false;
        }

        if (_channel.Reader.Completion.IsCompleted)
        {
            return false;
        }

        if (isPreview && _dropPreviewsWhenFull)
        {
            Interlocked.Increment(ref _droppedPreviews);
            return true;
        }

        if (!_reading)
        {
            _unreadFull = true;
            _fanOut?.OnUnreadStreamFull(message);
            return Dropped(isPreview: false);
        }

        try
        {
            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Unsubscribed while waiting for room.
        }

        return false;
    }

    /// <summary>Counts a message this full subscriber does not take: a droppable preview, or any message for a stream nobody reads yet.</summary>
    /// <returns>Whether a preview was dropped.</returns>
    private bool Dropped(bool isPreview)
    {
        if (isPreview && _dropPreviewsWhenFull)
        {
            Interlocked.Increment(ref _droppedPreviews);
            return true;
        }

        Interlocked.Increment(ref _droppedUnread);
        return false;
    }

    /// <summary>Writes the first message of a new stream (its buffer is empty, so there is room).</summary>
    internal void TryWriteFirst(ComfyMessage message) => _channel.Writer.TryWrite(message);

    /// <summary>Adds a last message if there is room, and ends the stream (with an error when the socket failed).</summary>
    internal void Complete(ComfyMessage? last, Exception? error)
    {
        if (last is not null)
        {
            _channel.Writer.TryWrite(last);
        }

        _channel.Writer.TryComplete(error);
    }
}
