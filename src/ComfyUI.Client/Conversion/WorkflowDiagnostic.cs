namespace ComfyUI.Client;

/// <summary>How serious a conversion diagnostic is.</summary>
public enum WorkflowDiagnosticSeverity
{
    /// <summary>The editor would go on the same way (for example a widget value missing from an old workflow: the default is used).</summary>
    Warning,

    /// <summary>The workflow cannot be converted faithfully (for example a node class the server does not have).</summary>
    Error,
}

/// <summary>One finding of a UI-workflow conversion, naming the node it is about.</summary>
public sealed class WorkflowDiagnostic
{
    /// <summary>Whether this is a warning or an error.</summary>
    public WorkflowDiagnosticSeverity Severity { get; init; }

    /// <summary>A stable code: <c>unknown-node-type</c>, <c>widget-count</c>, <c>dangling-link</c>, <c>missing-subgraph</c>, <c>bypass-no-match</c>, ….</summary>
    public string Code { get; init; } = "";

    /// <summary>What was found and how to fix it.</summary>
    public string Message { get; init; } = "";

    /// <summary>The node's id in the prompt (<c>"12"</c>, or <c>"57:30"</c> inside a subgraph or group node), or <see langword="null"/>.</summary>
    public string? NodeId { get; init; }

    /// <summary>The node's type (class name, or subgraph id), or <see langword="null"/>.</summary>
    public string? NodeType { get; init; }

    /// <summary>The node's title, or <see langword="null"/>.</summary>
    public string? NodeTitle { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var level = Severity == WorkflowDiagnosticSeverity.Error ? "error" : "warning";
        if (NodeId is null)
        {
            return $"{level} [{Code}]: {Message}";
        }

        var title = NodeTitle is not null && !string.Equals(NodeTitle, NodeType, StringComparison.Ordinal) ? $" \"{NodeTitle}\"" : "";
        return $"{level} [{Code}] node {NodeId} ({NodeType}){title}: {Message}";
    }
}

/// <summary>A UI workflow that cannot be converted into an API prompt; <see cref="Diagnostics"/> names every node concerned.</summary>
public sealed class WorkflowConversionException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="diagnostics">All diagnostics (errors and warnings).</param>
    public WorkflowConversionException(string message, IReadOnlyList<WorkflowDiagnostic> diagnostics)
        : base(message)
    {
        Diagnostics = diagnostics;
    }

    /// <summary>All diagnostics of the conversion (errors and warnings).</summary>
    public IReadOnlyList<WorkflowDiagnostic> Diagnostics { get; }
}
