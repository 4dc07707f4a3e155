using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ComfyUI.Client.Internal;

namespace ComfyUI.Client;

/// <summary>
/// One submitted prompt, queued and tracked until it ends in exactly one terminal state: succeeded, failed, interrupted,
/// cancelled or lost. It never waits forever on an event that will not come: the server's HTTP state (queue and history) is
/// the source of truth, checked after every reconnect, when the socket is silent, by polling when there is no socket, and at the end.
/// </summary>
/// <remarks>
/// Get one from <see cref="ComfyUIClient.SubmitAsync(Workflow, PromptOptions?, CancellationToken)"/>. Thread-safe.
/// Cancelling the token given to <c>SubmitAsync</c> cancels this prompt on the server (and only this prompt);
/// the tokens of <see cref="WaitAsync"/> and <see cref="ReadEventsAsync"/> only stop waiting.
/// </remarks>
public sealed class PromptRun : IAsyncDisposable
{
    private const int MaxQueuedPreviewsPerReader = 32;

    /// <summary>How long the outcome waits for the server's "history written" signal before reading the history anyway.</summary>
    private static readonly TimeSpan HistoryWriteGrace = TimeSpan.FromMilliseconds(250);

    private readonly ComfyUIClient _client;
    private readonly RunHub _hub;
    private readonly PromptOptions _options;
    private readonly PromptTrackingOptions _timing;
    private readonly CancellationToken _runToken;
    private readonly object _gate = new();
    private readonly List<PromptEvent> _history = [];
    private readonly List<Channel<PromptEvent>> _readers = [];
    private readonly TaskCompletionSource<PromptResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    // One pending wake-up at most: several signals before the loop looks are handled by one step.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<string, NodeOutput> _liveOutputs = new(StringComparer.Ordinal);
    private readonly List<string> _cachedNodes = [];

    private PromptStatus _status = PromptStatus.Submitting;
    private (PromptStatus Status, PromptError? Error, string? Reason)? _terminalHint;
    private string? _reconcileReason;
    private bool _historyWritten;
    private bool _historyGraceUsed;
    private bool _cancelRequested;
    private bool _cancelSent;
    private DateTimeOffset? _absentSince;
    private DateTimeOffset? _unreachableSince;
    private DateTimeOffset _lastEventAt;
    private Task? _loop;
    private CancellationTokenRegistration _runTokenRegistration;

    internal PromptRun(ComfyUIClient client, RunHub hub, string promptId, PromptOptions options, CancellationToken runToken)
    {
        _client = client;
        _hub = hub;
        PromptId = promptId;
        _options = options;
        _timing = client.Pipeline.Options.Tracking;
        _runToken = runToken;
        _lastEventAt = hub.TimeProvider.GetUtcNow();
    }

    /// <summary>The prompt id (made by the client before submission).</summary>
    public string PromptId { get; }

    /// <summary>The current state. Terminal states never change again.</summary>
    public PromptStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Whether the run has ended.</summary>
    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>
    /// Completes with the result when the run ends, whatever the outcome (it never faults; check <see cref="PromptResult.Status"/>).
    /// </summary>
    public Task<PromptResult> Completion => _completion.Task;

    /// <summary>
    /// Waits for the run to end and returns its result when it succeeded.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the run goes on).</param>
    /// <returns>The result of the successful run, outputs included.</returns>
    /// <exception cref="ComfyUIExecutionException">The run failed at a node, was interrupted by someone else, or was lost.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled through its own token or <see cref="CancelAsync"/>, or <paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PromptResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        var result = await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            PromptStatus.Succeeded => result,
            PromptStatus.Cancelled => throw new OperationCanceledException($"Prompt {PromptId} was cancelled.", innerException: null, _runToken.IsCancellationRequested ? _runToken : new CancellationToken(true)),
            _ => throw new ComfyUIExecutionException(result),
        };
    }

    /// <summary>
    /// Streams the run's events: those that already happened (live previews excepted), then the new ones as they come, ending with
    /// <see cref="PromptFinishedEvent"/>. Each call gets its own stream; previews are dropped for a reader that falls far behind.
    /// </summary>
    /// <param name="cancellationToken">Stops reading (the run goes on).</param>
    /// <returns>The events, in order.</returns>
    public async IAsyncEnumerable<PromptEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<PromptEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        lock (_gate)
        {
            foreach (var past in _history)
            {
                channel.Writer.TryWrite(past);
            }

            if (_completion.Task.IsCompleted)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _readers.Add(channel);
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
                _readers.Remove(channel);
            }
        }
    }

    /// <summary>
    /// Cancels this prompt on the server, and only this one: removes it from the queue when pending, interrupts it (by prompt id) when
    /// running. The run then ends as <see cref="PromptStatus.Cancelled"/> — unless it had already finished.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the cancellation to take effect.</param>
    /// <returns>The result once the run has ended.</returns>
    public async Task<PromptResult> CancelAsync(CancellationToken cancellationToken = default)
    {
        RequestCancel();
        return await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops tracking (the prompt is not cancelled: use <see cref="CancelAsync"/> for that) and releases resources.</summary>
    /// <returns>A task that completes when tracking stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _runTokenRegistration.DisposeAsync().ConfigureAwait(false);
        if (!_completion.Task.IsCompleted)
        {
            Finish(new PromptResult { PromptId = PromptId, Status = PromptStatus.Lost, Reason = "Tracking was stopped (the run was disposed) before the prompt ended." }, notify: false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>Starts following the run once it was submitted.</summary>
    internal void Start(double? number)
    {
        lock (_gate)
        {
            if (_status == PromptStatus.Submitting)
            {
                _status = PromptStatus.Queued;
                Emit(new PromptQueuedEvent { PromptId = PromptId, Number = number });
            }
        }

        _loop = Task.Run(() => LoopAsync(_stop.Token));
        if (_runToken.CanBeCanceled)
        {
            _runTokenRegistration = _runToken.UnsafeRegister(static state => ((PromptRun)state!).RequestCancel(), this);
        }
    }

    internal void RequestReconcile(string reason)
    {
        lock (_gate)
        {
            _reconcileReason ??= reason;
        }

        Wake();
    }

    private void RequestCancel()
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted || _cancelRequested)
            {
                return;
            }

            _cancelRequested = true;
        }

        Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Handles a WebSocket message the hub routed to this run (its prompt id, or unattributed frames while it executes).</summary>
    internal void OnMessage(ComfyMessage message)
    {
        var wake = false;
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            _lastEventAt = _hub.TimeProvider.GetUtcNow();
            switch (message)
            {
                case ExecutionStartMessage start:
                    MarkRunning();
                    Emit(new PromptStartedEvent { PromptId = PromptId, Timestamp = start.Timestamp });
                    break;
                case ExecutionCachedMessage cached:
                    MarkRunning();
                    _cachedNodes.AddRange(cached.Nodes);
                    Emit(new PromptNodesCachedEvent { PromptId = PromptId, NodeIds = cached.Nodes });
                    break;
                case ExecutingMessage { Node: { } node } executing:
                    MarkRunning();
                    Emit(new PromptNodeExecutingEvent { PromptId = PromptId, NodeId = node, DisplayNodeId = executing.DisplayNode });
                    break;
                case ExecutingMessage { Node: null }:
                    // The worker's "prompt finished" signal: the history entry exists now.
                    _terminalHint ??= (PromptStatus.Succeeded, null, null);
                    _historyWritten = true;
                    wake = true;
                    break;
                case ProgressMessage progress:
                    MarkRunning();
                    Emit(new PromptProgressEvent { PromptId = PromptId, NodeId = progress.Node, Value = progress.Value, Max = progress.Max });
                    break;
                case ExecutedMessage executed:
                    MarkRunning();
                    _liveOutputs[executed.Node] = executed.Output;
                    Emit(new PromptNodeOutputEvent { PromptId = PromptId, NodeId = executed.Node, Output = executed.Output });
                    break;
                case PreviewImageWithMetadataMessage preview:
                    Emit(new PromptPreviewEvent { PromptId = PromptId, NodeId = preview.NodeId, MimeType = preview.MimeType, Image = preview.Image });
                    break;
                case PreviewImageMessage preview:
                    Emit(new PromptPreviewEvent { PromptId = PromptId, MimeType = preview.MimeType, Image = preview.Image });
                    break;
                case ProgressTextMessage text:
                    Emit(new PromptProgressTextEvent { PromptId = PromptId, NodeId = text.NodeId, Text = text.Text });
                    break;
                case ExecutionSuccessMessage:
                    _terminalHint = (PromptStatus.Succeeded, null, null);
                    wake = true;
                    break;
                case ExecutionErrorMessage { IsExecutionBlocked: false } error:
                    _terminalHint = (PromptStatus.Failed, ToRunError(error), null);
                    wake = true;
                    break;
                case ExecutionInterruptedMessage interrupted:
                    _terminalHint = (_cancelSent ? PromptStatus.Cancelled : PromptStatus.Interrupted, null,
                        $"interrupted at node {interrupted.NodeId} ({interrupted.NodeType})");
                    wake = true;
                    break;
            }
        }

        if (wake)
        {
            Wake();
        }
    }

    private static PromptError ToRunError(ExecutionErrorMessage error) => new()
    {
        NodeId = error.NodeId,
        NodeType = error.NodeType,
        ExceptionType = error.ExceptionType,
        ExceptionMessage = error.ExceptionMessage ?? "",
        Traceback = error.Traceback,
    };

    private void MarkRunning()
    {
        if (_status == PromptStatus.Submitting)
        {
            // The prompt started before the POST answered: it was queued all the same, and readers see that first.
            Emit(new PromptQueuedEvent { PromptId = PromptId });
        }

        if (_status is PromptStatus.Submitting or PromptStatus.Queued)
        {
            _status = PromptStatus.Running;
        }
    }

    private void Emit(PromptEvent runEvent)
    {
        var isPreview = runEvent is PromptPreviewEvent;
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

    private async Task LoopAsync(CancellationToken stop)
    {
        while (!_completion.Task.IsCompleted && !stop.IsCancellationRequested)
        {
            var interval = _hub.IsSocketHealthy ? _timing.SilenceReconcileInterval : _timing.PollInterval;
            bool absentPending;
            lock (_gate)
            {
                absentPending = _absentSince is not null || _unreachableSince is not null;
            }

            if (absentPending && interval > _timing.PollInterval)
            {
                interval = _timing.PollInterval;
            }

            await WaitForWakeAsync(interval, stop).ConfigureAwait(false);
            if (_completion.Task.IsCompleted || stop.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await StepAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Whatever the transport throws (HttpRequestException, a bare SocketException from a connection cut mid-request,
                // timeouts, unreadable answers), the run keeps checking until it can decide: it never dies with its loop.
                NoteUnreachable(ex);
            }
        }
    }

    private async Task WaitForWakeAsync(TimeSpan interval, CancellationToken stop)
    {
        var reader = _wake.Reader;
        if (reader.TryRead(out _))
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(interval);
        try
        {
            await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
            reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The interval passed without a wake-up.
        }
    }

    private async Task StepAsync(CancellationToken stop)
    {
        (PromptStatus Status, PromptError? Error, string? Reason)? hint;
        bool cancel;
        string? requested;
        bool silent;
        bool inDoubt;
        lock (_gate)
        {
            hint = _terminalHint;
            cancel = _cancelRequested && !_cancelSent;
            requested = _reconcileReason;
            _reconcileReason = null;
            silent = _hub.TimeProvider.GetUtcNow() - _lastEventAt >= _timing.SilenceReconcileInterval;
            inDoubt = _absentSince is not null || _unreachableSince is not null;
        }

        if (cancel)
        {
            await SendCancelAsync(stop).ConfigureAwait(false);
        }

        if (hint is { } terminal)
        {
            bool historyWritten;
            lock (_gate)
            {
                historyWritten = _historyWritten || _historyGraceUsed;
                _historyGraceUsed = true;
            }

            if (!historyWritten)
            {
                // ComfyUI sends the outcome (execution_success/error/interrupted) before it writes the history entry, and "executing" with
                // no node right after writing it: wait briefly for that one, so that the history is read once instead of missed and retried.
                await WaitForWakeAsync(HistoryWriteGrace, stop).ConfigureAwait(false);
            }

            await FinalizeAsync(terminal, stop).ConfigureAwait(false);
            return;
        }

        var healthy = _hub.IsSocketHealthy;
        if (requested is null && healthy && !silent && !cancel && !inDoubt)
        {
            // Event-driven: a healthy socket that spoke recently needs no HTTP check.
            return;
        }

        await ReconcileAsync(requested ?? (healthy ? "silence" : "poll"), stop).ConfigureAwait(false);
    }

    private async Task SendCancelAsync(CancellationToken stop)
    {
        lock (_gate)
        {
            _cancelSent = true;
        }

        Log.RunCancelling(_client.Pipeline.Logger, PromptId);
        // Only this prompt: remove it if pending, interrupt it by id if running (a no-op for any other running prompt).
        await _client.Queue.DeleteAsync([PromptId], stop).ConfigureAwait(false);
        await _client.Queue.InterruptAsync(PromptId, stop).ConfigureAwait(false);
        RequestReconcile("cancel");
    }

    /// <summary>Reads the outcome from history (retrying briefly while the server writes it) and ends the run.</summary>
    private async Task FinalizeAsync((PromptStatus Status, PromptError? Error, string? Reason) hint, CancellationToken stop)
    {
        var deadline = _hub.TimeProvider.GetUtcNow() + _timing.LostAfter;
        var delay = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            HistoryEntry? entry = null;
            try
            {
                entry = await _client.History.GetAsync(PromptId, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                if (_hub.TimeProvider.GetUtcNow() >= deadline)
                {
                    Finish(FromHint(hint, $"the outcome came over the WebSocket but the history could not be read: {ex.Message}"));
                    return;
                }
            }

            if (entry is not null)
            {
                await FinishFromHistoryAsync(entry, hint, stop).ConfigureAwait(false);
                return;
            }

            if (_hub.TimeProvider.GetUtcNow() >= deadline)
            {
                Finish(FromHint(hint, "the outcome came over the WebSocket, but the server kept no history entry for it"));
                return;
            }

            await Task.Delay(delay, _hub.TimeProvider, stop).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    private PromptResult FromHint((PromptStatus Status, PromptError? Error, string? Reason) hint, string note) =>
        LocalResult(hint.Status, hint.Reason ?? note, hint.Error);

    /// <summary>A result built from what the run saw over the WebSocket, for when the server's history cannot say.</summary>
    private PromptResult LocalResult(PromptStatus status, string reason, PromptError? error = null)
    {
        lock (_gate)
        {
            return new PromptResult
            {
                PromptId = PromptId,
                Status = status,
                Error = error,
                Reason = reason,
                Outputs = new Dictionary<string, NodeOutput>(_liveOutputs, StringComparer.Ordinal),
                CachedNodes = _cachedNodes.ToArray(),
            };
        }
    }

    private async Task ReconcileAsync(string reason, CancellationToken stop)
    {
        var entry = await _client.History.GetAsync(PromptId, stop).ConfigureAwait(false);
        if (entry is not null)
        {
            await FinishFromHistoryAsync(entry, null, stop).ConfigureAwait(false);
            return;
        }

        var queue = await _client.Queue.GetQueueAsync(stop).ConfigureAwait(false);
        var now = _hub.TimeProvider.GetUtcNow();
        PromptStatus? seen = null;
        int? position = null;
        if (queue.Running.Any(item => item.PromptId == PromptId))
        {
            seen = PromptStatus.Running;
        }
        else
        {
            var index = 0;
            foreach (var item in queue.PendingInExecutionOrder)
            {
                if (item.PromptId == PromptId)
                {
                    seen = PromptStatus.Queued;
                    position = index;
                    break;
                }

                index++;
            }
        }

        if (seen is null)
        {
            // It may have finished between the two reads: the server moves a prompt from the queue to history atomically.
            entry = await _client.History.GetAsync(PromptId, stop).ConfigureAwait(false);
            if (entry is not null)
            {
                await FinishFromHistoryAsync(entry, null, stop).ConfigureAwait(false);
                return;
            }
        }

        lock (_gate)
        {
            _unreachableSince = null;
            if (seen is { } status)
            {
                _absentSince = null;
                if (status == PromptStatus.Running)
                {
                    MarkRunning();
                }

                Emit(new PromptReconciledEvent { PromptId = PromptId, Reason = reason, Status = status });
                if (status == PromptStatus.Queued)
                {
                    Emit(new PromptQueuedEvent { PromptId = PromptId, Position = position });
                }

                return;
            }

            if (_cancelSent)
            {
                // Removed from the queue by our own cancel before it started: nothing else will come.
                FinishLocked(new PromptResult { PromptId = PromptId, Status = PromptStatus.Cancelled, Reason = "removed from the queue before it started", CachedNodes = _cachedNodes.ToArray() });
                return;
            }

            _absentSince ??= now;
            if (now - _absentSince.Value >= _timing.LostAfter)
            {
                FinishLocked(LocalResult(PromptStatus.Lost,
                    $"the server has the prompt neither in its queue nor in its history (checked for {_timing.LostAfter}); it probably restarted"));
            }
        }
    }

    private void NoteUnreachable(Exception ex)
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            var now = _hub.TimeProvider.GetUtcNow();
            _unreachableSince ??= now;
            Log.RunReconcileFailed(_client.Pipeline.Logger, PromptId, ex.Message);
            if (now - _unreachableSince.Value >= _timing.UnreachableAfter)
            {
                FinishLocked(LocalResult(PromptStatus.Lost, $"the server could not be reached for {_timing.UnreachableAfter} (last error: {ex.Message})"));
            }
        }
    }

    private async Task FinishFromHistoryAsync(HistoryEntry entry, (PromptStatus Status, PromptError? Error, string? Reason)? hint, CancellationToken stop)
    {
        PromptStatus status;
        PromptError? error = null;
        string? reason = null;
        var statusText = entry.Status?.StatusStr;
        var interrupted = entry.Status?.FindMessage("execution_interrupted");
        var failure = entry.Status?.FindMessage("execution_error");
        bool cancelSent;
        lock (_gate)
        {
            cancelSent = _cancelSent;
        }

        if (string.Equals(statusText, "error", StringComparison.Ordinal))
        {
            if (interrupted is { } interruptedData)
            {
                status = cancelSent ? PromptStatus.Cancelled : PromptStatus.Interrupted;
                reason = $"interrupted at node {ReadString(interruptedData, "node_id")} ({ReadString(interruptedData, "node_type")})";
            }
            else
            {
                status = PromptStatus.Failed;
                error = failure is { } data ? ReadError(data) : hint?.Error;
                reason = error is null ? "the server recorded an error" : null;
            }
        }
        else
        {
            status = PromptStatus.Succeeded;
        }

        var result = new PromptResult
        {
            PromptId = PromptId,
            Status = status,
            Error = error,
            Reason = reason,
            Outputs = entry.Outputs,
            History = entry,
            CachedNodes = ReadCached(entry) ?? _cachedNodes.ToArray(),
        };

        if (status == PromptStatus.Succeeded && _options.DownloadOutputsTo is { } folder)
        {
            result = new PromptResult
            {
                PromptId = result.PromptId,
                Status = result.Status,
                Outputs = result.Outputs,
                History = result.History,
                CachedNodes = result.CachedNodes,
                SavedFiles = await DownloadOutputsAsync(entry, folder, stop).ConfigureAwait(false),
            };
        }

        Finish(result);
    }

    private async Task<IReadOnlyList<SavedOutput>> DownloadOutputsAsync(HistoryEntry entry, string folder, CancellationToken stop)
    {
        var saved = new List<SavedOutput>();
        var root = Path.GetFullPath(folder);
        Directory.CreateDirectory(root);
        var rootPrefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        foreach (var (nodeId, output) in entry.Outputs)
        {
            foreach (var file in output.AllFiles)
            {
                var relative = Path.Combine(SafePart(file.Subfolder), SafePart(Path.GetFileName(file.Filename.Replace('\\', '/'))));
                var path = Path.GetFullPath(Path.Combine(root, relative));
                if (!path.StartsWith(rootPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var savedTo = await _client.Files.DownloadToNewFileAsync(file, path, stop).ConfigureAwait(false);
                saved.Add(new SavedOutput { NodeId = nodeId, File = file, Path = savedTo });
            }
        }

        return saved;
    }

    private static string SafePart(string part) =>
        string.Join(Path.DirectorySeparatorChar, part.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p is not "." and not ".."));

    private static string[]? ReadCached(HistoryEntry entry)
    {
        if (entry.Status?.FindMessage("execution_cached") is { } cached
            && cached.ValueKind == System.Text.Json.JsonValueKind.Object
            && cached.TryGetProperty("nodes", out var nodes)
            && nodes.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            return nodes.EnumerateArray().Where(n => n.ValueKind == System.Text.Json.JsonValueKind.String).Select(n => n.GetString()!).ToArray();
        }

        return null;
    }

    private static PromptError ReadError(System.Text.Json.JsonElement data) => new()
    {
        NodeId = ReadString(data, "node_id"),
        NodeType = ReadString(data, "node_type"),
        ExceptionType = ReadString(data, "exception_type"),
        ExceptionMessage = ReadString(data, "exception_message") ?? "",
        Traceback = data.ValueKind == System.Text.Json.JsonValueKind.Object && data.TryGetProperty("traceback", out var tb) && tb.ValueKind == System.Text.Json.JsonValueKind.Array
            ? tb.EnumerateArray().Select(line => line.ValueKind == System.Text.Json.JsonValueKind.String ? line.GetString()! : line.GetRawText()).ToArray()
            : [],
    };

    private static string? ReadString(System.Text.Json.JsonElement data, string name) =>
        data.ValueKind == System.Text.Json.JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
            ? value.GetString()
            : null;

    private void Finish(PromptResult result, bool notify = true)
    {
        lock (_gate)
        {
            FinishLocked(result, notify);
        }
    }

    private void FinishLocked(PromptResult result, bool notify = true)
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        _status = result.Status;
        if (notify)
        {
            Emit(new PromptFinishedEvent { PromptId = PromptId, Result = result });
        }

        foreach (var reader in _readers)
        {
            reader.Writer.TryComplete();
        }

        _readers.Clear();
        _hub.Unregister(this);
        Log.RunFinished(_client.Pipeline.Logger, PromptId, result.Status);
        _completion.TrySetResult(result);
    }
}
