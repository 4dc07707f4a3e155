using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// <c>status</c>: the queue changed (broadcast), or the socket connected (then <see cref="Sid"/> is set). <see cref="ComfyMessage.PromptId"/> is always
/// <see langword="null"/>.
/// </summary>
public sealed record StatusMessage : ComfyMessage
{
    /// <summary>The queue state as sent.</summary>
    public QueueStatus Status { get; init; } = QueueStatus.Empty;

    /// <summary>The socket's client id as the server knows it; only in the first message after connecting.</summary>
    public string? Sid { get; init; }

    /// <summary>Prompts pending plus the one running.</summary>
    [JsonIgnore]
    public int QueueRemaining => Status.ExecInfo.QueueRemaining;
}

/// <summary><c>execution_start</c>: a prompt started running.</summary>
public sealed record ExecutionStartMessage : ComfyMessage
{
    /// <summary>When the server sent it, if it said.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary><c>execution_cached</c>: the nodes whose outputs were already cached and will not run (sent right after the start).</summary>
public sealed record ExecutionCachedMessage : ComfyMessage
{
    /// <summary>The cached node ids (may be empty).</summary>
    public IReadOnlyList<string> Nodes { get; init; } = [];

    /// <summary>When the server sent it, if it said.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>
/// <c>executing</c>, in one of three forms: a node starts (<see cref="IsNodeStart"/>: node, display node and prompt id), the prompt finished
/// (<see cref="IsPromptFinished"/>: node <see langword="null"/>, any outcome), or the replay sent on reconnect while this client's prompt is mid-node
/// (<see cref="IsReconnectReplay"/>: node only, no prompt id).
/// </summary>
public sealed record ExecutingMessage : ComfyMessage
{
    /// <summary>The node that starts running; <see langword="null"/> when the prompt finished.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? Node { get; init; }

    /// <summary>The node id to show (differs from <see cref="Node"/> inside subgraphs and expansions), when sent.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? DisplayNode { get; init; }

    /// <summary>Whether this is the "prompt finished" form (node <see langword="null"/>).</summary>
    [JsonIgnore]
    public bool IsPromptFinished => Node is null;

    /// <summary>Whether this is the replay the server sends on connect while this client's prompt runs a node (no prompt id).</summary>
    [JsonIgnore]
    public bool IsReconnectReplay => Node is not null && PromptId is null;

    /// <summary>Whether a node of a known prompt starts running.</summary>
    [JsonIgnore]
    public bool IsNodeStart => Node is not null && PromptId is not null;
}

/// <summary><c>progress</c>: step progress of a node (samplers and others). Broadcast for prompts without a client id.</summary>
public sealed record ProgressMessage : ComfyMessage
{
    /// <summary>The current step (an integer or a fraction).</summary>
    public double Value { get; init; }

    /// <summary>The number of steps (an integer or a fraction).</summary>
    public double Max { get; init; }

    /// <summary>The node reporting progress, when sent.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? Node { get; init; }

    /// <summary><see cref="Value"/> / <see cref="Max"/> between 0 and 1 (0 when <see cref="Max"/> is not positive).</summary>
    [JsonIgnore]
    public double Fraction => Max > 0 ? Math.Clamp(Value / Max, 0, 1) : 0;
}

/// <summary><c>progress_state</c>: a full snapshot of the running and finished nodes of a prompt (pending nodes are left out).</summary>
public sealed record ProgressStateMessage : ComfyMessage
{
    /// <summary>The nodes by their execution id.</summary>
    public IReadOnlyDictionary<string, NodeProgressState> Nodes { get; init; } = new Dictionary<string, NodeProgressState>();
}

/// <summary>One node of a <see cref="ProgressStateMessage"/>.</summary>
public sealed record NodeProgressState
{
    /// <summary>The current step.</summary>
    public double Value { get; init; }

    /// <summary>The number of steps.</summary>
    public double Max { get; init; }

    /// <summary><c>running</c>, <c>finished</c> or <c>error</c> (other values are kept as sent).</summary>
    public string State { get; init; } = "";

    /// <summary>The node's execution id.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? NodeId { get; init; }

    /// <summary>The prompt id.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? PromptId { get; init; }

    /// <summary>The node id to show.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? DisplayNodeId { get; init; }

    /// <summary>The parent node inside a subgraph or expansion, or <see langword="null"/>.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? ParentNodeId { get; init; }

    /// <summary>The original node id.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? RealNodeId { get; init; }
}

/// <summary>
/// <c>executed</c>: a node produced UI output (images, text, …). Also sent for cached output nodes, whose <see cref="Output"/> may then be empty.
/// Outputs are best read from history when the prompt finished.
/// </summary>
public sealed record ExecutedMessage : ComfyMessage
{
    /// <summary>The node's execution id.</summary>
    public string Node { get; init; } = "";

    /// <summary>The node id to show.</summary>
    [JsonConverter(typeof(RecentStringConverter))]
    public string? DisplayNode { get; init; }

    /// <summary>The node's output (empty when the server sent <c>null</c>).</summary>
    public NodeOutput Output { get; init; } = NodeOutput.Empty;
}

/// <summary><c>execution_success</c>: every requested output of the prompt is done.</summary>
public sealed record ExecutionSuccessMessage : ComfyMessage
{
    /// <summary>When the server sent it, if it said.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>
/// <c>execution_error</c>: a node raised. The prompt failed, except for the <see cref="IsExecutionBlocked"/> variant, which is broadcast,
/// carries no timestamp, and lets the prompt go on.
/// </summary>
public sealed record ExecutionErrorMessage : ComfyMessage
{
    /// <summary>The real (original) id of the node that raised.</summary>
    public string? NodeId { get; init; }

    /// <summary>The node's class.</summary>
    public string? NodeType { get; init; }

    /// <summary>The node ids that had run.</summary>
    public IReadOnlyList<string> Executed { get; init; } = [];

    /// <summary>The exception's message.</summary>
    public string ExceptionMessage { get; init; } = "";

    /// <summary>The exception's type, for example <c>ValueError</c>.</summary>
    public string ExceptionType { get; init; } = "";

    /// <summary>The Python traceback lines.</summary>
    public IReadOnlyList<string> Traceback { get; init; } = [];

    /// <summary>The node's inputs as sent (an object of input name → values; an empty array in the blocked variant).</summary>
    public JsonElement CurrentInputs { get; init; }

    /// <summary>The node's outputs as sent (usually an array of strings).</summary>
    public JsonElement CurrentOutputs { get; init; }

    /// <summary>When the server sent it; <see langword="null"/> in the blocked variant.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Whether this is the "ExecutionBlocked" variant (a node was blocked; the prompt goes on and it is not in history).</summary>
    [JsonIgnore]
    public bool IsExecutionBlocked => string.Equals(ExceptionType, "ExecutionBlocked", StringComparison.Ordinal);
}

/// <summary><c>execution_interrupted</c>: the prompt was interrupted or cancelled.</summary>
public sealed record ExecutionInterruptedMessage : ComfyMessage
{
    /// <summary>The node that was running.</summary>
    public string? NodeId { get; init; }

    /// <summary>The node's class.</summary>
    public string? NodeType { get; init; }

    /// <summary>The node ids that had run.</summary>
    public IReadOnlyList<string> Executed { get; init; } = [];

    /// <summary>When the server sent it, if it said.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary><c>feature_flags</c>: the server's answer to the client's flags (sent once per connection).</summary>
public sealed record FeatureFlagsMessage : ComfyMessage
{
    /// <summary>Every flag as sent.</summary>
    public IReadOnlyDictionary<string, JsonElement> Flags { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Whether the server sends previews with metadata (binary type 4) to clients that ask for them.</summary>
    [JsonIgnore]
    public bool SupportsPreviewMetadata => IsTrue("supports_preview_metadata");

    /// <summary>The largest upload the server accepts, in bytes, when it says.</summary>
    [JsonIgnore]
    public long? MaxUploadSize =>
        Flags.TryGetValue("max_upload_size", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var size) ? size : null;

    /// <summary>Whether the assets API is on.</summary>
    [JsonIgnore]
    public bool Assets => IsTrue("assets");

    /// <summary>Whether a boolean flag is present and <see langword="true"/>.</summary>
    /// <param name="name">The flag's name, for example <c>node_replacements</c>.</param>
    /// <returns><see langword="true"/> when the flag is <c>true</c>.</returns>
    public bool IsTrue(string name) => Flags.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.True;
}

/// <summary><c>logs</c>: console output of the server (only to sockets that subscribed through <c>/internal/logs/subscribe</c>).</summary>
public sealed record LogsMessage : ComfyMessage
{
    /// <summary>The new log entries.</summary>
    public IReadOnlyList<ServerLogEntry> Entries { get; init; } = [];

    /// <summary>The terminal size, or <see langword="null"/> when unchanged.</summary>
    public TerminalSize? Size { get; init; }
}

/// <summary>One entry of a <see cref="LogsMessage"/>.</summary>
public sealed record ServerLogEntry
{
    /// <summary>The entry's time as the server wrote it.</summary>
    [JsonPropertyName("t")]
    public string? Time { get; init; }

    /// <summary>The text.</summary>
    [JsonPropertyName("m")]
    public string Message { get; init; } = "";
}

/// <summary>The server's terminal size in a <see cref="LogsMessage"/>.</summary>
public sealed record TerminalSize
{
    /// <summary>Columns.</summary>
    public int Cols { get; init; }

    /// <summary>Rows.</summary>
    public int Rows { get; init; }
}
