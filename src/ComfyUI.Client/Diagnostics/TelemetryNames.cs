namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// Every span, span event, attribute and instrument name the SDK emits (OpenTelemetry semantic-convention style: lower-case, dotted, durations in
/// seconds). The README's "Observability" section lists each of them (a test checks that it does): add a row there with every new name.
/// </summary>
internal static class TelemetryNames
{
    // ---- Spans ----

    /// <summary>A tracked run, from <c>SubmitAsync</c> to its terminal state (kind Client).</summary>
    public const string RunSpan = "comfyui.run";

    /// <summary>One <c>POST /prompt</c> (kind Client); a safe resubmission is a second one.</summary>
    public const string SubmitSpan = "comfyui.submit";

    /// <summary>One file downloaded from <c>/view</c> (kind Client), for example an output saved by <c>PromptOptions.DownloadOutputsTo</c>.</summary>
    public const string DownloadSpan = "comfyui.download";

    /// <summary>One file uploaded to <c>/upload/image</c> or <c>/upload/mask</c> (kind Client).</summary>
    public const string UploadSpan = "comfyui.upload";

    /// <summary>One node's execution, named <c>comfyui.node {class_type}</c> (kind Internal; only with <c>Telemetry.NodeSpans</c>).</summary>
    public const string NodeSpan = "comfyui.node";

    // ---- Span events (on comfyui.run) ----

    /// <summary>The prompt is queued (accepted by the POST, or seen pending by a check).</summary>
    public const string QueuedEvent = "comfyui.queued";

    /// <summary>The server started executing the prompt (<c>execution_start</c>).</summary>
    public const string StartedEvent = "comfyui.started";

    /// <summary>The server answered nodes from its cache (<c>execution_cached</c>, when it named at least one).</summary>
    public const string CachedEvent = "comfyui.cached";

    /// <summary>A node finished executing (timed from its <c>executing</c> to the next).</summary>
    public const string NodeExecutedEvent = "comfyui.node.executed";

    /// <summary>Step progress of a node, throttled (<c>Telemetry.ProgressEventInterval</c>; the first and the last step of a node always).</summary>
    public const string ProgressEvent = "comfyui.progress";

    /// <summary>A node raised (<c>execution_error</c>).</summary>
    public const string ErrorEvent = "comfyui.error";

    /// <summary>The prompt was interrupted (<c>execution_interrupted</c>).</summary>
    public const string InterruptedEvent = "comfyui.interrupted";

    /// <summary>The run asked the server to cancel its prompt.</summary>
    public const string CancelRequestedEvent = "comfyui.cancel_requested";

    /// <summary>The WebSocket dropped while the run was going on (events may be missed until a check).</summary>
    public const string DisconnectedEvent = "comfyui.websocket.disconnected";

    /// <summary>The WebSocket is back.</summary>
    public const string ReconnectedEvent = "comfyui.websocket.reconnected";

    /// <summary>The WebSocket ended for good: the run goes on by polling.</summary>
    public const string SocketClosedEvent = "comfyui.websocket.closed";

    /// <summary>A check of the server's queue and history found where the prompt is.</summary>
    public const string ReconciledEvent = "comfyui.reconciled";

    // ---- Attributes ----

    /// <summary>The server's host name or IP address (from the base address).</summary>
    public const string ServerAddress = "server.address";

    /// <summary>The server's port.</summary>
    public const string ServerPort = "server.port";

    /// <summary>The prompt id (spans only, never on metrics).</summary>
    public const string PromptId = "comfyui.prompt_id";

    /// <summary>The prompt's number in the server's queue, as the POST answered.</summary>
    public const string PromptNumber = "comfyui.prompt.number";

    /// <summary>How many nodes the submitted prompt has.</summary>
    public const string PromptNodeCount = "comfyui.prompt.node_count";

    /// <summary>The terminal state: succeeded, failed, interrupted, cancelled or lost.</summary>
    public const string RunStatus = "comfyui.run.status";

    /// <summary>How many nodes the server answered from its cache.</summary>
    public const string RunCachedNodes = "comfyui.run.cached_nodes";

    /// <summary>The class of what went wrong (see the README for the values).</summary>
    public const string ErrorType = "error.type";

    /// <summary>The position in the server's pending queue (0 runs next).</summary>
    public const string QueuePosition = "comfyui.queue.position";

    /// <summary>A node id (its execution id).</summary>
    public const string NodeId = "comfyui.node.id";

    /// <summary>A node's class, for example <c>KSampler</c> (<c>_OTHER</c> for nodes not in the submitted prompt, such as expanded ones).</summary>
    public const string NodeClassType = "comfyui.node.class_type";

    /// <summary>How long a node executed, in seconds (event attribute).</summary>
    public const string NodeDuration = "comfyui.node.duration";

    /// <summary>The current step of a progress event.</summary>
    public const string ProgressValue = "comfyui.progress.value";

    /// <summary>The number of steps of a progress event.</summary>
    public const string ProgressMax = "comfyui.progress.max";

    /// <summary>The server's exception type of a failed node, for example <c>ValueError</c>.</summary>
    public const string ExceptionType = "exception.type";

    /// <summary>The server's exception message of a failed node.</summary>
    public const string ExceptionMessage = "exception.message";

    /// <summary>Why the run checked the server: reconnected, disconnected, socket-closed, silence, poll or cancel.</summary>
    public const string ReconcileReason = "comfyui.reconcile.reason";

    /// <summary>What the check found: queued, running, history or absent.</summary>
    public const string ReconcileFound = "comfyui.reconcile.found";

    /// <summary>The state of a WebSocket: connecting, connected or reconnecting.</summary>
    public const string SocketState = "comfyui.websocket.state";

    /// <summary>A file's name (spans only).</summary>
    public const string FileName = "comfyui.file.name";

    /// <summary>A file's subfolder (spans only).</summary>
    public const string FileSubfolder = "comfyui.file.subfolder";

    /// <summary>A file's folder type: output, input or temp.</summary>
    public const string FileType = "comfyui.file.type";

    /// <summary>The bytes transferred for a file (spans only).</summary>
    public const string FileSize = "comfyui.file.size";

    /// <summary>The direction of bytes: receive (downloads) or transmit (uploads).</summary>
    public const string IoDirection = "network.io.direction";

    /// <summary>Where a queue or execution time came from: server (its own timestamps) or client (when the client saw the events).</summary>
    public const string TimingSource = "comfyui.timing.source";

    /// <summary>A pool server's health: healthy, degraded or unhealthy.</summary>
    public const string ServerHealth = "comfyui.server.health";

    // ---- Instruments ----

    /// <summary>Histogram (s): a tracked run from submission to its terminal state.</summary>
    public const string RunDuration = "comfyui.run.duration";

    /// <summary>Histogram (s): how long a prompt waited in the server's queue before it started.</summary>
    public const string QueueDuration = "comfyui.run.queue.duration";

    /// <summary>Histogram (s): how long the server executed a prompt, from its start to its end.</summary>
    public const string ExecutionDuration = "comfyui.run.execution.duration";

    /// <summary>Histogram (s): one node's execution, by class type.</summary>
    public const string NodeDurationMetric = "comfyui.node.duration";

    /// <summary>Counter ({run}): tracked runs that ended, by outcome.</summary>
    public const string Runs = "comfyui.runs";

    /// <summary>Histogram ({node}): how many nodes of a run the server answered from its cache.</summary>
    public const string CachedNodes = "comfyui.run.cached_nodes";

    /// <summary>Counter ({error}): validation errors of rejected prompts, by the server's error type.</summary>
    public const string ValidationErrors = "comfyui.prompt.validation_errors";

    /// <summary>Counter ({reconnect}): WebSocket reconnects.</summary>
    public const string SocketReconnects = "comfyui.websocket.reconnects";

    /// <summary>Observable up-down counter ({connection}): open WebSockets, by state.</summary>
    public const string SocketConnections = "comfyui.websocket.connections";

    /// <summary>Counter (By): file bytes downloaded and uploaded, by direction.</summary>
    public const string FileIo = "comfyui.file.io";

    /// <summary>Observable gauge ({prompt}): a pool server's queue (pending and running) as the pool last saw it.</summary>
    public const string PoolQueueDepth = "comfyui.pool.server.queue_depth";

    /// <summary>Observable up-down counter ({run}): the prompts a pool has in flight on a server.</summary>
    public const string PoolActiveRuns = "comfyui.pool.server.active_runs";

    /// <summary>Observable gauge (1): 1 for a pool server's current health (<see cref="ServerHealth"/>), 0 for the others.</summary>
    public const string PoolServerHealth = "comfyui.pool.server.health";

    // ---- Values ----

    /// <summary>The class type of a node that is not in the submitted prompt (OpenTelemetry's value for "other").</summary>
    public const string OtherValue = "_OTHER";
}
