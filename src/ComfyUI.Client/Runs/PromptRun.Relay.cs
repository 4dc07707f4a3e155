namespace ComfyUI.Client;

/// <summary>What drives a run: its own reconcile loop (a run of one client), or a relay that follows it on servers chosen by a pool.</summary>
internal interface IRunDriver : IAsyncDisposable
{
    /// <summary>Cancels the prompt on its server (and only it); the run then ends as cancelled, unless it had already ended.</summary>
    void RequestCancel();
}

/// <content>
/// A relayed run: the run a <see cref="ComfyUIPool"/> hands out. It has no tracker of its own: the pool places the prompt on a server, follows the
/// run of that server's client and relays its events here; when the prompt is submitted again elsewhere (at-least-once delivery) the readers
/// see one continuous stream, with a <see cref="PromptRoutedEvent"/> each time the prompt is placed. It ends with the result of the last server.
/// </content>
public sealed partial class PromptRun
{
    /// <summary>Creates a relayed run; <paramref name="driver"/> creates its driver (the pool's relay), which may keep the run.</summary>
    internal PromptRun(string promptId, Func<PromptRun, IRunDriver> driver, CancellationToken runToken)
    {
        PromptId = promptId;
        _runToken = runToken;
        _driver = driver(this);
    }

    /// <summary>The prompt was placed on a server (first or again): readers see where, and the run is submitting until the server queues it.</summary>
    internal void RelayPlaced(PromptRoutedEvent routed, Uri server)
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            Volatile.Write(ref _server, server);
            _status = PromptStatus.Submitting;
            _events.Emit(routed);
        }
    }

    /// <summary>Relays an event of the run on the current server, moving the state as that run's did.</summary>
    internal void Relay(PromptEvent runEvent)
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            switch (runEvent)
            {
                case PromptQueuedEvent:
                    if (_status == PromptStatus.Submitting)
                    {
                        _status = PromptStatus.Queued;
                    }

                    break;
                case PromptStartedEvent or PromptNodesCachedEvent or PromptNodeExecutingEvent or PromptProgressEvent or PromptNodeOutputEvent:
                case PromptReconciledEvent { Status: PromptStatus.Running }:
                    _status = PromptStatus.Running;
                    break;
            }

            _events.Emit(runEvent);
        }
    }
}
