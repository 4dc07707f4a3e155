namespace ComfyUI.Client;

/// <summary>How a run ended as the WebSocket reported it, before the history confirms it.</summary>
/// <param name="Status">The terminal state the server reported.</param>
/// <param name="Error">The node error of a failed run.</param>
/// <param name="Reason">A sentence on why (interrupts).</param>
internal readonly record struct RunOutcome(PromptStatus Status, PromptError? Error, string? Reason);

/// <summary>What one WebSocket message means for the run it was routed to.</summary>
internal readonly struct RunUpdate
{
    /// <summary>The event to hand to the run's readers, if any.</summary>
    public PromptEvent? Event { get; init; }

    /// <summary>The message shows the prompt executing.</summary>
    public bool Running { get; init; }

    /// <summary>The outcome the message reports, if it reports one.</summary>
    public RunOutcome? Outcome { get; init; }

    /// <summary>Whether <see cref="Outcome"/> only applies when no other outcome was reported (the final <c>executing</c>).</summary>
    public bool OutcomeIfNone { get; init; }

    /// <summary>The server signalled that the history entry is written (<c>executing</c> with no node).</summary>
    public bool HistoryWritten { get; init; }
}

/// <summary>Maps the server's messages to a run's events and outcome: one table for the whole mapping.</summary>
internal static class RunMessageMapper
{
    /// <summary>Maps a message routed to the run <paramref name="promptId"/>.</summary>
    public static RunUpdate Map(string promptId, ComfyMessage message) => message switch
    {
        ExecutionStartMessage start => new() { Running = true, Event = new PromptStartedEvent { PromptId = promptId, Timestamp = start.Timestamp } },
        ExecutionCachedMessage cached => new() { Running = true, Event = new PromptNodesCachedEvent { PromptId = promptId, NodeIds = cached.Nodes } },
        ExecutingMessage { Node: { } node } executing =>
            new() { Running = true, Event = new PromptNodeExecutingEvent { PromptId = promptId, NodeId = node, DisplayNodeId = executing.DisplayNode } },

        // The worker's "prompt finished" signal: the history entry exists now.
        ExecutingMessage { Node: null } => new() { Outcome = new(PromptStatus.Succeeded, null, null), OutcomeIfNone = true, HistoryWritten = true },
        ProgressMessage progress =>
            new() { Running = true, Event = new PromptProgressEvent { PromptId = promptId, NodeId = progress.Node, Value = progress.Value, Max = progress.Max } },
        ExecutedMessage executed => new() { Running = true, Event = new PromptNodeOutputEvent { PromptId = promptId, NodeId = executed.Node, Output = executed.Output } },
        PreviewImageWithMetadataMessage preview =>
            new() { Event = new PromptPreviewEvent { PromptId = promptId, NodeId = preview.NodeId, MimeType = preview.MimeType, Image = preview.Image } },
        PreviewImageMessage preview => new() { Event = new PromptPreviewEvent { PromptId = promptId, MimeType = preview.MimeType, Image = preview.Image } },
        ProgressTextMessage text => new() { Event = new PromptProgressTextEvent { PromptId = promptId, NodeId = text.NodeId, Text = text.Text } },
        ExecutionSuccessMessage => new() { Outcome = new(PromptStatus.Succeeded, null, null) },
        ExecutionErrorMessage { IsExecutionBlocked: false } error => new() { Outcome = new(PromptStatus.Failed, ToPromptError(error), null) },
        ExecutionInterruptedMessage interrupted => new() { Outcome = new(PromptStatus.Interrupted, null, InterruptReason(interrupted)) },
        _ => default,
    };

    /// <summary>The run's error from the server's <c>execution_error</c> (live or recorded in history).</summary>
    public static PromptError ToPromptError(ExecutionErrorMessage error) => new()
    {
        NodeId = error.NodeId,
        NodeType = error.NodeType,
        ExceptionType = error.ExceptionType,
        ExceptionMessage = error.ExceptionMessage ?? "",
        Traceback = error.Traceback,
    };

    /// <summary>The reason of an interrupted run from the server's <c>execution_interrupted</c>.</summary>
    public static string InterruptReason(ExecutionInterruptedMessage interrupted) => $"interrupted at node {interrupted.NodeId} ({interrupted.NodeType})";
}
