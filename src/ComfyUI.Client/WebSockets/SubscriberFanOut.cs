using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Hands each message of one connection, in order, to every reader: observers first (called inline, they must not block: the run tracker),
/// then each subscription through its bounded buffer (a full one holds the connection back, except for droppable previews).
/// Readers added later see what comes after; a reader added after the end is completed at once.
/// </summary>
internal sealed class SubscriberFanOut(ILogger logger)
{
    private readonly object _gate = new();
    private ComfyWebSocketSubscription[] _subscribers = [];
    private Action<ComfyMessage>[] _observers = [];
    private bool _completed;
    private Exception? _completion;
    private long _droppedPreviews;
    private int _warnedUnread;

    /// <summary>Whether any subscription reads the socket (observers alone do not count).</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscribers).Length > 0;

    /// <summary>How many previews were dropped, over all subscribers, because a subscriber was full.</summary>
    public long DroppedPreviews => Interlocked.Read(ref _droppedPreviews);

    /// <summary>Adds a subscription; when the connection already ended it is completed instead (with the error, if it failed).</summary>
    public void Add(ComfyWebSocketSubscription subscription, ComfyMessage? first = null)
    {
        lock (_gate)
        {
            if (!_completed)
            {
                if (first is not null)
                {
                    subscription.TryWriteFirst(first);
                }

                _subscribers = [.. _subscribers, subscription];
                return;
            }
        }

        subscription.Complete(null, _completion);
    }

    /// <summary>Stops delivery to a subscription.</summary>
    public void Remove(ComfyWebSocketSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }

    /// <summary>Adds an inline observer; returns <see langword="false"/> when the connection already ended.</summary>
    public bool AddObserver(Action<ComfyMessage> observer)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _observers = [.. _observers, observer];
            return true;
        }
    }

    /// <summary>Removes an inline observer.</summary>
    public void RemoveObserver(Action<ComfyMessage> observer)
    {
        lock (_gate)
        {
            _observers = Array.FindAll(_observers, o => !ReferenceEquals(o, observer));
        }
    }

    /// <summary>Delivers one message to every reader, waiting for room where a subscriber is full.</summary>
    public async ValueTask PublishAsync(ComfyMessage message, CancellationToken cancellationToken)
    {
        Observe(Volatile.Read(ref _observers), message);
        var isPreview = message is PreviewImageMessage or PreviewImageWithMetadataMessage;
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            if (await subscriber.WriteAsync(message, isPreview, cancellationToken).ConfigureAwait(false))
            {
                var total = Interlocked.Increment(ref _droppedPreviews);
                WebSocketLog.PreviewDropped(logger, total);
            }
        }
    }

    /// <summary>Ends every reader's stream: <paramref name="last"/> is their last message, <paramref name="error"/> the failure, if any.</summary>
    public void CompleteAll(ComfyMessage last, Exception? error)
    {
        ComfyWebSocketSubscription[] subscribers;
        Action<ComfyMessage>[] observers;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _completion = error;
            subscribers = _subscribers;
            observers = _observers;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Complete(last, error);
        }

        Observe(observers, last);
    }

    /// <summary>Logs once that a stream nobody reads yet is full.</summary>
    public void OnUnreadStreamFull(ComfyMessage message)
    {
        if (Interlocked.Exchange(ref _warnedUnread, 1) == 0)
        {
            WebSocketLog.DefaultStreamFull(logger, message.GetType().Name);
        }
    }

    private void Observe(Action<ComfyMessage>[] observers, ComfyMessage message)
    {
        foreach (var observer in observers)
        {
            try
            {
                observer(message);
            }
            catch (Exception ex)
            {
                WebSocketLog.ProtocolError(logger, "a message observer failed: " + ex.Message);
            }
        }
    }
}
