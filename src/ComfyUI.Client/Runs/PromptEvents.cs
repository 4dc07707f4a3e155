namespace ComfyUI.Client;

/// <summary>
/// Something that happened to one tracked run. Read them with <see cref="PromptRun.ReadEventsAsync"/>; each run sees only its own events.
/// </summary>
public abstract record PromptEvent
{
    /// <summary>The prompt id of the run.</summary>
    public required string PromptId { get; init; }
}

/// <summary>The prompt is in the queue.</summary>
public sealed record PromptQueuedEvent : PromptEvent
{
    /// <summary>How many prompts run before it (0 = next), when known.</summary>
    public int? Position { get; init; }

    /// <summary>The queue number (priority) the server gave it, when known.</summary>
    public double? Number { get; init; }
}

/// <summary>The server started executing the prompt.</summary>
public sealed record PromptStartedEvent : PromptEvent
{
    /// <summary>When the server started it, if it said.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>Nodes whose outputs the server took from its cache (they will not execute).</summary>
public sealed record PromptNodesCachedEvent : PromptEvent
{
    /// <summary>The cached node ids.</summary>
    public IReadOnlyList<string> NodeIds { get; init; } = [];
}

/// <summary>A node started executing.</summary>
public sealed record PromptNodeExecutingEvent : PromptEvent
{
    /// <summary>The node id.</summary>
    public required string NodeId { get; init; }

    /// <summary>The node shown in the UI for it (differs for nodes inside subgraphs), when known.</summary>
    public string? DisplayNodeId { get; init; }
}

/// <summary>Step progress of a node (a sampler's steps, for example).</summary>
public sealed record PromptProgressEvent : PromptEvent
{
    /// <summary>The node id, when the server said.</summary>
    public string? NodeId { get; init; }

    /// <summary>The current step.</summary>
    public double Value { get; init; }

    /// <summary>The number of steps.</summary>
    public double Max { get; init; }

    /// <summary>The progress as a fraction from 0 to 1.</summary>
    public double Fraction => Max > 0 ? Math.Clamp(Value / Max, 0, 1) : 0;
}

/// <summary>A live preview image of the run.</summary>
public sealed record PromptPreviewEvent : PromptEvent
{
    /// <summary>The node that produced it, when the server said (previews with metadata).</summary>
    public string? NodeId { get; init; }

    /// <summary>The image's MIME type, for example <c>image/jpeg</c>.</summary>
    public required string MimeType { get; init; }

    /// <summary>The image bytes (owned by this event).</summary>
    public required ReadOnlyMemory<byte> Image { get; init; }
}

/// <summary>A status text a node sent (binary TEXT frame), for example "step 2/4".</summary>
public sealed record PromptProgressTextEvent : PromptEvent
{
    /// <summary>The node id.</summary>
    public required string NodeId { get; init; }

    /// <summary>The text.</summary>
    public required string Text { get; init; }
}

/// <summary>A node produced UI output (images, text, …) — also sent for cached output nodes.</summary>
public sealed record PromptNodeOutputEvent : PromptEvent
{
    /// <summary>The node id.</summary>
    public required string NodeId { get; init; }

    /// <summary>What the node produced.</summary>
    public required NodeOutput Output { get; init; }
}

/// <summary>
/// The tracker lost the WebSocket, or found it silent, and checked the run's state with the server over HTTP.
/// Informational: the run goes on.
/// </summary>
public sealed record PromptReconciledEvent : PromptEvent
{
    /// <summary>Why the tracker reconciled: <c>reconnected</c>, <c>silence</c>, <c>poll</c>, <c>submit-retry</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>The state the server reported.</summary>
    public required PromptStatus Status { get; init; }
}

/// <summary>
/// A <see cref="ComfyUIPool"/> placed the prompt on a server: first when it was submitted, and again when the pool submitted it elsewhere because
/// its server was lost (<see cref="PromptDelivery.AtLeastOnce"/>). Runs of a single client never have it.
/// </summary>
public sealed record PromptRoutedEvent : PromptEvent
{
    /// <summary>The server's name in the pool.</summary>
    public required string ServerName { get; init; }

    /// <summary>The server's base address.</summary>
    public required Uri Server { get; init; }

    /// <summary>Which placement this is: 1 for the first, 2 for the first resubmission, ….</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Why the prompt was placed again (what happened on the previous server); <see langword="null"/> for the first placement.</summary>
    public string? Reason { get; init; }
}

/// <summary>The run ended. Always the last event of a run.</summary>
public sealed record PromptFinishedEvent : PromptEvent
{
    /// <summary>The outcome, outputs included.</summary>
    public required PromptResult Result { get; init; }
}
