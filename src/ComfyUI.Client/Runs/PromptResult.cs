namespace ComfyUI.Client;

/// <summary>The state of a tracked run. A run ends in exactly one of the terminal states.</summary>
public enum PromptStatus
{
    /// <summary>Being submitted (<c>POST /prompt</c> in flight).</summary>
    Submitting,

    /// <summary>In the queue, waiting.</summary>
    Queued,

    /// <summary>Executing.</summary>
    Running,

    /// <summary>Terminal: every requested output was produced.</summary>
    Succeeded,

    /// <summary>Terminal: a node raised an error (<see cref="PromptResult.Error"/> says which and why).</summary>
    Failed,

    /// <summary>Terminal: interrupted by someone else (another client, or a global interrupt).</summary>
    Interrupted,

    /// <summary>Terminal: cancelled through the run's own token or <see cref="PromptRun.CancelAsync"/>.</summary>
    Cancelled,

    /// <summary>
    /// Terminal: the server no longer knows the prompt (neither queued nor in history, for example after a restart), or could not be
    /// reached for longer than allowed. The prompt will not produce outputs.
    /// </summary>
    Lost,
}

/// <summary>Why a node failed: the server's <c>execution_error</c>.</summary>
public sealed class PromptError
{
    /// <summary>The id of the node that raised.</summary>
    public string? NodeId { get; init; }

    /// <summary>The node's class, for example <c>KSampler</c>.</summary>
    public string? NodeType { get; init; }

    /// <summary>The Python exception type, for example <c>RuntimeError</c>.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>The exception message.</summary>
    public string ExceptionMessage { get; init; } = "";

    /// <summary>The Python traceback lines.</summary>
    public IReadOnlyList<string> Traceback { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() =>
        $"{ExceptionType ?? "error"} at node {NodeId ?? "?"} ({NodeType ?? "?"}): {ExceptionMessage}";
}

/// <summary>
/// The outcome of a run: its terminal state and, when it ran, its outputs read from the server's history (the source of truth).
/// </summary>
public sealed class PromptResult
{
    private Uri? _server;

    /// <summary>The prompt id.</summary>
    public required string PromptId { get; init; }

    /// <summary>The terminal state.</summary>
    public required PromptStatus Status { get; init; }

    /// <summary>Whether the run succeeded.</summary>
    public bool IsSuccess => Status == PromptStatus.Succeeded;

    /// <summary>What each output node produced, by node id (from <c>/history/{id}</c>). Empty when nothing ran.</summary>
    public IReadOnlyDictionary<string, NodeOutput> Outputs { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, NodeOutput>.Empty;

    /// <summary>The error of a failed run; <see langword="null"/> otherwise.</summary>
    public PromptError? Error { get; init; }

    /// <summary>A sentence on why the run ended the way it did when it did not succeed (lost, interrupted, cancelled).</summary>
    public string? Reason { get; init; }

    /// <summary>The node ids the server took from its cache.</summary>
    public IReadOnlyList<string> CachedNodes { get; init; } = [];

    /// <summary>The history entry the outputs were read from, when there was one.</summary>
    public HistoryEntry? History { get; init; }

    /// <summary>Files the run saved locally when <see cref="PromptOptions.DownloadOutputsTo"/> was set: the output file and the local path.</summary>
    public IReadOnlyList<SavedOutput> SavedFiles { get; init; } = [];

    /// <summary>
    /// The base address of the server the prompt ran on (for a run of a <see cref="ComfyUIPool"/>, the server that produced this result);
    /// <see langword="null"/> for a result that no server produced (a test double, or a run stopped before it was queued).
    /// </summary>
    public Uri? Server
    {
        get => _server;
        init => _server = value;
    }

    /// <summary>Why a <see cref="PromptStatus.Lost"/> run was lost (the pool decides on it); <see cref="RunLoss.None"/> otherwise.</summary>
    internal RunLoss Loss { get; init; }

    /// <summary>Every image of every output node, in node order.</summary>
    public IReadOnlyList<OutputFile> Images => Outputs.Values.SelectMany(output => output.Images).ToArray();

    /// <summary>Every video or animation of every output node.</summary>
    public IReadOnlyList<OutputFile> Videos => Outputs.Values.SelectMany(output => output.Videos).ToArray();

    /// <summary>Every audio file of every output node.</summary>
    public IReadOnlyList<OutputFile> Audio => Outputs.Values.SelectMany(output => output.Audio).ToArray();

    /// <summary>Every file of every kind of every output node.</summary>
    public IReadOnlyList<OutputFile> Files => Outputs.Values.SelectMany(output => output.AllFiles).ToArray();

    /// <summary>Every text output of every output node.</summary>
    public IReadOnlyList<string> Texts => Outputs.Values.SelectMany(output => output.Text).ToArray();

    /// <summary>What one node produced, or <see langword="null"/> when it produced nothing (or did not run).</summary>
    /// <param name="node">The node, as <see cref="WorkflowBuilder"/> handed it out.</param>
    /// <returns>The node's output.</returns>
    public NodeOutput? OutputOf(NodeHandle node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return OutputOf(node.Id);
    }

    /// <summary>What one node produced, or <see langword="null"/> when it produced nothing (or did not run).</summary>
    /// <param name="nodeId">The node id.</param>
    /// <returns>The node's output.</returns>
    public NodeOutput? OutputOf(string nodeId)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        return Outputs.TryGetValue(nodeId, out var output) ? output : null;
    }

    /// <summary>The images one node produced (empty when none).</summary>
    /// <param name="node">The node, for example the handle of a <c>SaveImage</c>.</param>
    /// <returns>The images, in the node's order.</returns>
    public IReadOnlyList<OutputFile> ImagesOf(NodeHandle node) => OutputOf(node)?.Images ?? [];

    /// <summary>The images one node produced (empty when none).</summary>
    /// <param name="nodeId">The node id.</param>
    /// <returns>The images, in the node's order.</returns>
    public IReadOnlyList<OutputFile> ImagesOf(string nodeId) => OutputOf(nodeId)?.Images ?? [];

    /// <summary>The videos and animations one node produced (empty when none).</summary>
    /// <param name="node">The node.</param>
    /// <returns>The videos.</returns>
    public IReadOnlyList<OutputFile> VideosOf(NodeHandle node) => OutputOf(node)?.Videos ?? [];

    /// <summary>The audio files one node produced (empty when none).</summary>
    /// <param name="node">The node.</param>
    /// <returns>The audio files.</returns>
    public IReadOnlyList<OutputFile> AudioOf(NodeHandle node) => OutputOf(node)?.Audio ?? [];

    /// <summary>Every file of every kind one node produced (empty when none).</summary>
    /// <param name="node">The node.</param>
    /// <returns>The files.</returns>
    public IReadOnlyList<OutputFile> FilesOf(NodeHandle node) => OutputOf(node)?.AllFiles ?? [];

    /// <summary>The text outputs of one node (empty when none).</summary>
    /// <param name="node">The node.</param>
    /// <returns>The texts.</returns>
    public IReadOnlyList<string> TextsOf(NodeHandle node) => OutputOf(node)?.Text ?? [];

    /// <summary>Names the server that produced the result, when the result does not name one yet (before it is published).</summary>
    internal void StampServer(Uri server) => _server ??= server;

    /// <summary>Throws <see cref="ComfyUIExecutionException"/> unless the run succeeded.</summary>
    /// <returns>This result, for chaining.</returns>
    public PromptResult EnsureSuccess() => IsSuccess ? this : throw new ComfyUIExecutionException(this);
}

/// <summary>Why a run was lost: what the pool needs to decide whether the prompt may be submitted again.</summary>
internal enum RunLoss
{
    /// <summary>Not lost.</summary>
    None,

    /// <summary>The server answered and has the prompt neither queued nor in its history: it is not running there (it may have run partly before a restart).</summary>
    Absent,

    /// <summary>The server could not be reached for too long: the prompt may still be running there.</summary>
    Unreachable,

    /// <summary>Tracking was stopped (the run or its client was disposed) before the prompt ended: its fate is unknown.</summary>
    TrackingStopped,
}

/// <summary>An output file saved locally by a run.</summary>
public sealed class SavedOutput
{
    /// <summary>The node that produced it.</summary>
    public required string NodeId { get; init; }

    /// <summary>The file on the server.</summary>
    public required OutputFile File { get; init; }

    /// <summary>The local path it was saved to.</summary>
    public required string Path { get; init; }
}

/// <summary>
/// A tracked run did not succeed: it failed at a node, was interrupted by someone else, or was lost. <see cref="Result"/> has the details.
/// (A run cancelled through its own token ends with <see cref="OperationCanceledException"/> instead.)
/// </summary>
public sealed class ComfyUIExecutionException : ComfyUIException
{
    /// <summary>Creates the exception for a result that did not succeed.</summary>
    /// <param name="result">The run's result.</param>
    public ComfyUIExecutionException(PromptResult result)
        : base(BuildMessage(result ?? throw new ArgumentNullException(nameof(result))))
    {
        Result = result;
    }

    /// <summary>The run's result (its state, error and any outputs).</summary>
    public PromptResult Result { get; }

    /// <summary>The run's terminal state.</summary>
    public PromptStatus Status => Result.Status;

    /// <summary>The prompt id.</summary>
    public string PromptId => Result.PromptId;

    /// <summary>The node that raised, for a failed run.</summary>
    public string? NodeId => Result.Error?.NodeId;

    /// <summary>The class of the node that raised, for a failed run.</summary>
    public string? NodeType => Result.Error?.NodeType;

    /// <summary>The Python exception type, for a failed run.</summary>
    public string? ExceptionType => Result.Error?.ExceptionType;

    /// <summary>The Python exception message, for a failed run.</summary>
    public string? ExceptionMessage => Result.Error?.ExceptionMessage;

    /// <summary>The Python traceback, for a failed run.</summary>
    public IReadOnlyList<string> Traceback => Result.Error?.Traceback ?? [];

    private static string BuildMessage(PromptResult result) => result.Status switch
    {
        PromptStatus.Failed when result.Error is { } error => $"Prompt {result.PromptId} failed: {error}",
        PromptStatus.Failed => $"Prompt {result.PromptId} failed: {result.Reason}",
        PromptStatus.Interrupted => $"Prompt {result.PromptId} was interrupted{(result.Reason is null ? "" : ": " + result.Reason)}",
        PromptStatus.Lost => $"Prompt {result.PromptId} was lost: {result.Reason}",
        PromptStatus.Cancelled => $"Prompt {result.PromptId} was cancelled",
        _ => $"Prompt {result.PromptId} ended as {result.Status}",
    };
}
