namespace ComfyUI.Client;

/// <summary>
/// No server of a <see cref="ComfyUIPool"/> can take the prompt: each lacks a node class or an input choice it needs, is down, or is draining.
/// Nothing was queued. <see cref="Rejections"/> says why for each server.
/// </summary>
public sealed class ComfyUIPoolException : ComfyUIException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message (it lists the reasons).</param>
    /// <param name="rejections">Why each server could not take the prompt.</param>
    public ComfyUIPoolException(string message, IReadOnlyList<PoolServerRejection> rejections)
        : base(message)
    {
        Rejections = rejections ?? throw new ArgumentNullException(nameof(rejections));
    }

    /// <summary>Why each server could not take the prompt, one entry per server of the pool.</summary>
    public IReadOnlyList<PoolServerRejection> Rejections { get; }

    /// <summary>Builds the exception with a message naming every server's reason.</summary>
    internal static ComfyUIPoolException For(IReadOnlyList<PoolServerRejection> rejections) => new(
        rejections.Count == 0
            ? "The pool has no server. Add one with ComfyUIPool.AddServer or in ComfyUIPoolOptions.Servers."
            : "No server of the pool can run this prompt: " + string.Join("; ", rejections.Select(r => $"{r.ServerName}: {r.Reason}")) + ".",
        rejections);
}

/// <summary>Why one server of a <see cref="ComfyUIPool"/> could not take a prompt.</summary>
public sealed class PoolServerRejection
{
    /// <summary>The server's name in the pool.</summary>
    public required string ServerName { get; init; }

    /// <summary>The server's base address.</summary>
    public required Uri Server { get; init; }

    /// <summary>The kind of reason.</summary>
    public required PoolRejectionKind Kind { get; init; }

    /// <summary>A sentence saying why, for example <c>node class 'SdkTestSlow' is not installed</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>The server's validation error that made it ineligible (<c>missing_node_type</c>, <c>value_not_in_list</c>), when that was the reason.</summary>
    public ComfyError? ValidationError { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{ServerName}: {Reason}";
}

/// <summary>The kinds of <see cref="PoolServerRejection"/>.</summary>
public enum PoolRejectionKind
{
    /// <summary>The server lacks a node class the workflow uses (<c>missing_node_type</c>).</summary>
    MissingNodeType,

    /// <summary>An input's value is not among the server's choices, for example a model file it does not have (<c>value_not_in_list</c>).</summary>
    ValueNotInList,

    /// <summary>The server does not answer.</summary>
    Unavailable,

    /// <summary>The server is being drained or removed.</summary>
    Draining,

    /// <summary>The server's capabilities (<c>/object_info</c>) could not be read.</summary>
    CapabilitiesUnavailable,
}
