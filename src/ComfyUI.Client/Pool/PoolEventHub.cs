using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ComfyUI.Client;

/// <summary>
/// Hands each pool event to every reader through its own bounded buffer (the oldest events are dropped for a reader that falls 1,000 behind).
/// A reader sees the events from the moment it subscribed; the streams end when the pool is disposed.
/// </summary>
internal sealed class PoolEventHub
{
    private const int Capacity = 1000;
    private readonly object _gate = new();
    private Channel<PoolEvent>[] _readers = [];
    private bool _completed;

    public void Emit(PoolEvent poolEvent)
    {
        foreach (var reader in Volatile.Read(ref _readers))
        {
            reader.Writer.TryWrite(poolEvent);
        }
    }

    /// <summary>Subscribes now (events from here on are kept for the reader) and returns the stream.</summary>
    public IAsyncEnumerable<PoolEvent> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<PoolEvent>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_gate)
        {
            if (_completed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _readers = [.. _readers, channel];
            }
        }

        return ReadAsync(channel, cancellationToken);
    }

    public void Complete()
    {
        Channel<PoolEvent>[] readers;
        lock (_gate)
        {
            _completed = true;
            readers = _readers;
            _readers = [];
        }

        foreach (var reader in readers)
        {
            reader.Writer.TryComplete();
        }
    }

    private async IAsyncEnumerable<PoolEvent> ReadAsync(Channel<PoolEvent> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var poolEvent in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return poolEvent;
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers = Array.FindAll(_readers, reader => !ReferenceEquals(reader, channel));
            }
        }
    }
}
