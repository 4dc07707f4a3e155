using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ComfyUI.Client;

/// <summary>
/// A run's event fan-out: keeps the events that happened (live previews excepted) for readers that come late, and hands each new event to
/// every reader through its own unbounded buffer; previews are dropped for a reader that falls far behind. Thread-safe.
/// </summary>
internal sealed class RunEventStream
{
    private const int MaxQueuedPreviewsPerReader = 32;

    private readonly object _gate = new();
    private readonly List<PromptEvent> _history = [];
    private Channel<PromptEvent>[] _readers = [];
    private bool _completed;

    /// <summary>Hands an event to every reader (and keeps it for later readers unless it is a preview).</summary>
    public void Emit(PromptEvent runEvent)
    {
        var isPreview = runEvent is PromptPreviewEvent;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (!isPreview)
            {
                _history.Add(runEvent);
            }

            foreach (var reader in _readers)
            {
                if (isPreview && reader.Reader.CanCount && reader.Reader.Count >= MaxQueuedPreviewsPerReader)
                {
                    continue;
                }

                reader.Writer.TryWrite(runEvent);
            }
        }
    }

    /// <summary>Emits <paramref name="last"/> and ends every reader's stream; later readers get the history and end.</summary>
    public void Complete(PromptEvent? last)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (last is not null)
            {
                _history.Add(last);
            }

            _completed = true;
            foreach (var reader in _readers)
            {
                if (last is not null)
                {
                    reader.Writer.TryWrite(last);
                }

                reader.Writer.TryComplete();
            }

            _readers = [];
        }
    }

    /// <summary>The events of one kind that happened so far (a snapshot).</summary>
    public List<T> Past<T>()
        where T : PromptEvent
    {
        lock (_gate)
        {
            return _history.OfType<T>().ToList();
        }
    }

    /// <summary>Streams the past events, then the new ones until the run ends.</summary>
    public async IAsyncEnumerable<PromptEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<PromptEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        lock (_gate)
        {
            foreach (var past in _history)
            {
                channel.Writer.TryWrite(past);
            }

            if (_completed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _readers = [.. _readers, channel];
            }
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers = Array.FindAll(_readers, r => !ReferenceEquals(r, channel));
            }
        }
    }
}
