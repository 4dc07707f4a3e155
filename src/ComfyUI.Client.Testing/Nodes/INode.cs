using System.Text.Json.Nodes;

namespace ComfyUI.Client.Testing.Nodes;

/// <summary>A node implementation.</summary>
internal interface INode
{
    Task<NodeResult> RunAsync(NodeContext context);
}

/// <summary>What a node returns: its outputs (by index) and its UI dict (or null).</summary>
internal sealed record NodeResult(object?[] Outputs, JsonObject? Ui = null);

/// <summary>A Python-like exception raised by a node (shown as execution_error).</summary>
internal sealed class NodeException : Exception
{
    public NodeException(string exceptionType, string message)
        : base(message)
    {
        ExceptionType = exceptionType;
    }

    public NodeException()
        : this("RuntimeError", string.Empty)
    {
    }

    public NodeException(string message)
        : this("RuntimeError", message)
    {
    }

    public NodeException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExceptionType = "RuntimeError";
    }

    public string ExceptionType { get; } = "RuntimeError";
}
