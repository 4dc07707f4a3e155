using System.Diagnostics;
using System.Text.Json.Nodes;
using ComfyUI.Client.Http;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// What one tracked run records: its <c>comfyui.run</c> span with events (queued, started, cached, each node executed, throttled progress, error,
/// reconnects, checks), optional node spans, and its metrics when it ends. It exists only while someone listens (see <see cref="Start"/>): a run
/// nobody observes holds <see langword="null"/> and pays one null check per seam. <see cref="PromptRun"/> calls it from its lifecycle methods.
/// </summary>
internal sealed class RunTelemetry
{
    private readonly object _gate = new();
    private readonly ServerEndpoint _server;
    private readonly TimeProvider _time;
    private readonly ComfyTelemetryOptions _options;
    private readonly Dictionary<string, string> _classTypes;
    private readonly long _submittedAt;
    private long _queuedAt;
    private long _startedAt;
    private DateTimeOffset? _serverStartedAt;
    private string? _node;
    private long _nodeStartedAt;
    private Activity? _nodeSpan;
    private string? _progressNode;
    private long _progressAt;
    private bool _socketDown;
    private bool _cancelRequested;
    private bool _ended;

    private RunTelemetry(ComfyHttpPipeline pipeline, JsonObject prompt, string promptId, bool tracing)
    {
        _server = pipeline.Server;
        _time = pipeline.TimeProvider;
        _options = pipeline.Options.Telemetry;
        _submittedAt = _time.GetTimestamp();
        _classTypes = new Dictionary<string, string>(prompt.Count, StringComparer.Ordinal);
        foreach (var (id, node) in prompt)
        {
            if (node is JsonObject fields && fields["class_type"] is JsonValue value && value.TryGetValue<string>(out var classType))
            {
                _classTypes[id] = classType;
            }
        }

        if (tracing && ComfyTelemetry.Source.StartActivity(TelemetryNames.RunSpan, ActivityKind.Client) is { } activity)
        {
            Activity = activity;
            if (activity.IsAllDataRequested)
            {
                _server.SetOn(activity);
                activity.SetTag(TelemetryNames.PromptId, promptId);
                activity.SetTag(TelemetryNames.PromptNodeCount, prompt.Count);
            }
        }
    }

    /// <summary>The run's span, when tracing is on and the run was sampled.</summary>
    public Activity? Activity { get; }

    /// <summary>
    /// Starts recording a run about to be submitted, or returns <see langword="null"/> (allocating nothing) when no span and no run metric
    /// is listened to. The span continues the caller's <see cref="System.Diagnostics.Activity.Current"/> (W3C trace context) and becomes current
    /// for the rest of the submission, so the POST's own spans are its children.
    /// </summary>
    public static RunTelemetry? Start(ComfyHttpPipeline pipeline, JsonObject prompt, string promptId)
    {
        var tracing = ComfyTelemetry.Source.HasListeners();
        return tracing || ComfyMetrics.RunInstrumentsEnabled ? new RunTelemetry(pipeline, prompt, promptId, tracing) : null;
    }

    /// <summary>The submission failed before the prompt was queued: the span ends with the error (nothing was queued, no run metric).</summary>
    public void SubmitFailed(Exception exception)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
        }

        if (Activity is not { } activity)
        {
            return;
        }

        if (StatusNames.ErrorType(exception) is { } errorType)
        {
            activity.SetTag(TelemetryNames.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        }
        else
        {
            activity.SetTag(TelemetryNames.RunStatus, StatusNames.Of(PromptStatus.Cancelled));
        }

        activity.Stop();
    }

    /// <summary>The prompt is queued (accepted by the POST, or seen pending by a check).</summary>
    public void Queued(double? number, int? position)
    {
        lock (_gate)
        {
            if (_queuedAt == 0)
            {
                _queuedAt = _time.GetTimestamp();
            }

            if (Activity is { } activity)
            {
                var tags = new ActivityTagsCollection();
                if (number is { } n)
                {
                    tags[TelemetryNames.PromptNumber] = n;
                    activity.SetTag(TelemetryNames.PromptNumber, n);
                }

                if (position is { } p)
                {
                    tags[TelemetryNames.QueuePosition] = p;
                }

                activity.AddEvent(new ActivityEvent(TelemetryNames.QueuedEvent, _time.GetUtcNow(), tags));
            }
        }
    }

    /// <summary>The run is seen running (its first sign of execution, when no <c>execution_start</c> was seen).</summary>
    public void Running()
    {
        lock (_gate)
        {
            if (_startedAt == 0)
            {
                _startedAt = _time.GetTimestamp();
            }
        }
    }

    /// <summary>A WebSocket message routed to the run.</summary>
    public void Message(ComfyMessage message)
    {
        if (Volatile.Read(ref _ended)
            || message is not (ProgressMessage or ExecutingMessage or ExecutionSuccessMessage or ExecutionStartMessage or ExecutionCachedMessage
                or ExecutionErrorMessage or ExecutionInterruptedMessage))
        {
            return;
        }

        // The moment the message was handled: spans, events and node times all use it, whatever recording costs afterwards.
        var at = new Moment(_time.GetTimestamp(), _time.GetUtcNow());
        switch (message)
        {
            case ProgressMessage progress:
                Progress(progress, at);
                break;
            case ExecutingMessage { Node: { } node }:
                NodeStarted(node, at);
                break;
            case ExecutingMessage or ExecutionSuccessMessage:
                EndNode(completed: true, at);
                break;
            case ExecutionStartMessage start:
                lock (_gate)
                {
                    _startedAt = at.Timestamp;
                    _serverStartedAt = start.Timestamp;
                    Activity?.AddEvent(new ActivityEvent(TelemetryNames.StartedEvent, at.Time));
                }

                break;
            case ExecutionCachedMessage { Nodes.Count: > 0 } cached:
                if (Activity is { } activity)
                {
                    lock (_gate)
                    {
                        activity.AddEvent(new ActivityEvent(TelemetryNames.CachedEvent, at.Time, new() { [TelemetryNames.RunCachedNodes] = cached.Nodes.Count }));
                    }
                }

                break;
            case ExecutionErrorMessage { IsExecutionBlocked: false } error:
                Failed(error, at);
                break;
            case ExecutionInterruptedMessage interrupted:
                EndNode(completed: false, at);
                if (Activity is { } span)
                {
                    lock (_gate)
                    {
                        span.AddEvent(new ActivityEvent(TelemetryNames.InterruptedEvent, at.Time, NodeTags(interrupted.NodeId, interrupted.NodeType)));
                    }
                }

                break;
        }
    }

    /// <summary>The run asked the server to cancel its prompt.</summary>
    public void CancelRequested()
    {
        lock (_gate)
        {
            if (!_cancelRequested && !_ended)
            {
                _cancelRequested = true;
                Activity?.AddEvent(new ActivityEvent(TelemetryNames.CancelRequestedEvent, _time.GetUtcNow()));
            }
        }
    }

    /// <summary>The hub asked for a check because the socket changed (<c>disconnected</c>, <c>reconnected</c>, <c>socket-closed</c>).</summary>
    public void SocketChanged(string reason)
    {
        lock (_gate)
        {
            switch (reason)
            {
                case RunHub.Disconnected when !_socketDown:
                    _socketDown = true;
                    // Events are missed until the socket is back: the running node's end cannot be timed.
                    AbandonNodeLocked(_time.GetUtcNow());
                    Activity?.AddEvent(new ActivityEvent(TelemetryNames.DisconnectedEvent, _time.GetUtcNow()));
                    break;
                case RunHub.Reconnected when _socketDown:
                    _socketDown = false;
                    Activity?.AddEvent(new ActivityEvent(TelemetryNames.ReconnectedEvent, _time.GetUtcNow()));
                    break;
                case RunHub.SocketClosed:
                    _socketDown = true;
                    AbandonNodeLocked(_time.GetUtcNow());
                    Activity?.AddEvent(new ActivityEvent(TelemetryNames.SocketClosedEvent, _time.GetUtcNow()));
                    break;
            }
        }
    }

    /// <summary>A check of the server's queue and history found the prompt (<c>queued</c>, <c>running</c>, <c>history</c>) or not (<c>absent</c>).</summary>
    public void Reconciled(string reason, string found)
    {
        if (Activity is { } activity)
        {
            lock (_gate)
            {
                activity.AddEvent(new ActivityEvent(TelemetryNames.ReconciledEvent, _time.GetUtcNow(),
                    new() { [TelemetryNames.ReconcileReason] = reason, [TelemetryNames.ReconcileFound] = found }));
            }
        }
    }

    /// <summary>The run ended: records its metrics and ends its span with its status (and error type when it did not succeed or get cancelled).</summary>
    public void Finished(PromptResult result)
    {
        Moment at;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            at = new Moment(_time.GetTimestamp(), _time.GetUtcNow());
            if (result.Status == PromptStatus.Succeeded)
            {
                CloseNodeLocked(at, completed: true);
            }
            else
            {
                AbandonNodeLocked(at.Time);
            }
        }

        var status = StatusNames.Of(result.Status);
        var errorType = StatusNames.ErrorType(result);
        RunMetrics.Record(this, result, status, errorType, at.Timestamp);
        if (Activity is not { } activity)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(TelemetryNames.RunStatus, status);
            activity.SetTag(TelemetryNames.RunCachedNodes, result.CachedNodes.Count);
            if (errorType is not null)
            {
                activity.SetTag(TelemetryNames.ErrorType, errorType);
            }
        }

        if (errorType is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Error?.ExceptionMessage is { Length: > 0 } message ? message : result.Reason);
        }

        activity.SetEndTime(at.Time.UtcDateTime);
        activity.Stop();
    }

    // ---- What RunMetrics reads once the run ended (no lock needed: written before _ended, read after). ----

    internal ServerEndpoint Server => _server;

    internal TimeProvider Time => _time;

    internal long SubmittedAt => _submittedAt;

    internal long QueuedAt => _queuedAt;

    internal long StartedAt => _startedAt;

    internal DateTimeOffset? ServerStartedAt => _serverStartedAt;

    private void Progress(ProgressMessage progress, Moment at)
    {
        if (Activity is not { } activity)
        {
            return;
        }

        lock (_gate)
        {
            var node = progress.Node ?? _node;
            var firstOfNode = !string.Equals(node, _progressNode, StringComparison.Ordinal);
            if (!firstOfNode && progress.Value < progress.Max && _time.GetElapsedTime(_progressAt, at.Timestamp) < _options.ProgressEventInterval)
            {
                return;
            }

            _progressNode = node;
            _progressAt = at.Timestamp;
            var tags = new ActivityTagsCollection { [TelemetryNames.ProgressValue] = progress.Value, [TelemetryNames.ProgressMax] = progress.Max };
            if (node is not null)
            {
                tags[TelemetryNames.NodeId] = node;
            }

            activity.AddEvent(new ActivityEvent(TelemetryNames.ProgressEvent, at.Time, tags));
        }
    }

    private void NodeStarted(string node, Moment at)
    {
        lock (_gate)
        {
            if (string.Equals(node, _node, StringComparison.Ordinal))
            {
                // The server's replay of the running node after a reconnect.
                return;
            }

            CloseNodeLocked(at, completed: true);
            _node = node;
            _nodeStartedAt = at.Timestamp;
            if (_options.NodeSpans && Activity is { } run)
            {
                var classType = ClassTypeOf(node);
                _nodeSpan = ComfyTelemetry.StartDetached(TelemetryNames.NodeSpan + " " + classType, ActivityKind.Internal, run.Context, at.Time);
                if (_nodeSpan is { IsAllDataRequested: true } span)
                {
                    span.SetTag(TelemetryNames.NodeId, node);
                    span.SetTag(TelemetryNames.NodeClassType, classType);
                }
            }
        }
    }

    private void EndNode(bool completed, Moment at)
    {
        lock (_gate)
        {
            if (completed)
            {
                CloseNodeLocked(at, completed: true);
            }
            else
            {
                AbandonNodeLocked(at.Time);
            }
        }
    }

    private void Failed(ExecutionErrorMessage error, Moment at)
    {
        lock (_gate)
        {
            if (_nodeSpan is { } nodeSpan && (error.NodeId is null || string.Equals(error.NodeId, _node, StringComparison.Ordinal)))
            {
                nodeSpan.SetTag(TelemetryNames.ErrorType, error.ExceptionType is { Length: > 0 } type ? type : "execution_error");
                nodeSpan.SetStatus(ActivityStatusCode.Error, error.ExceptionMessage);
            }

            AbandonNodeLocked(at.Time);
            if (Activity is { } activity)
            {
                var tags = NodeTags(error.NodeId, error.NodeType);
                tags[TelemetryNames.ExceptionType] = error.ExceptionType;
                tags[TelemetryNames.ExceptionMessage] = error.ExceptionMessage;
                activity.AddEvent(new ActivityEvent(TelemetryNames.ErrorEvent, at.Time, tags));
            }
        }
    }

    /// <summary>Ends the running node's timing at <paramref name="at"/>: recorded when it completed, only closed when its end is unknown or it failed.</summary>
    private void CloseNodeLocked(Moment at, bool completed)
    {
        if (_node is not { } node)
        {
            return;
        }

        var seconds = _time.GetElapsedTime(_nodeStartedAt, at.Timestamp).TotalSeconds;
        var classType = ClassTypeOf(node);
        if (completed)
        {
            Activity?.AddEvent(new ActivityEvent(TelemetryNames.NodeExecutedEvent, at.Time, new()
            {
                [TelemetryNames.NodeId] = node,
                [TelemetryNames.NodeClassType] = classType,
                [TelemetryNames.NodeDuration] = seconds,
            }));
            if (ComfyMetrics.NodeDuration.Enabled)
            {
                var tags = _server.Tags();
                tags.Add(TelemetryNames.NodeClassType, classType);
                ComfyMetrics.NodeDuration.Record(seconds, tags);
            }
        }

        _node = null;
        StopNodeSpanLocked(at.Time);
    }

    private void AbandonNodeLocked(DateTimeOffset at)
    {
        _node = null;
        StopNodeSpanLocked(at);
    }

    private void StopNodeSpanLocked(DateTimeOffset at)
    {
        if (_nodeSpan is { } span)
        {
            span.SetEndTime(at.UtcDateTime);
            span.Stop();
            _nodeSpan = null;
        }
    }

    private string ClassTypeOf(string node) => _classTypes.TryGetValue(node, out var classType) ? classType : TelemetryNames.OtherValue;

    private ActivityTagsCollection NodeTags(string? node, string? classType)
    {
        var tags = new ActivityTagsCollection();
        if (node is not null)
        {
            tags[TelemetryNames.NodeId] = node;
            tags[TelemetryNames.NodeClassType] = classType ?? ClassTypeOf(node);
        }

        return tags;
    }

    /// <summary>One instant on both of the client's clocks: a timestamp for durations, a time for spans and events.</summary>
    private readonly record struct Moment(long Timestamp, DateTimeOffset Time);
}
