namespace ComfyUI.Client;

/// <summary>Something that happened to a server of a <see cref="ComfyUIPool"/> (<see cref="ComfyUIPool.ReadEventsAsync"/>).</summary>
public sealed record PoolEvent
{
    /// <summary>What happened.</summary>
    public required PoolEventKind Kind { get; init; }

    /// <summary>The server's name in the pool.</summary>
    public required string ServerName { get; init; }

    /// <summary>The server's base address.</summary>
    public required Uri Server { get; init; }

    /// <summary>When the pool saw it (the pool's clock).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>Details: why a server is down, what showed a restart, ….</summary>
    public string? Message { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Time:O} {ServerName} {Kind}{(Message is null ? "" : ": " + Message)}";
}

/// <summary>The kinds of <see cref="PoolEvent"/>.</summary>
public enum PoolEventKind
{
    /// <summary>The server was added to the pool.</summary>
    Added,

    /// <summary>The server answers (its WebSocket connected, or its HTTP answered): it takes prompts.</summary>
    Up,

    /// <summary>The server stopped answering: no new prompts until it is back.</summary>
    Down,

    /// <summary>
    /// The server restarted: its WebSocket reconnected and its prompt counter went back, or prompts it held vanished from its queue and its
    /// history. Its capabilities are read again.
    /// </summary>
    Restarted,

    /// <summary>The server's capabilities (node classes, choices, features) were read (again).</summary>
    CapabilitiesRead,

    /// <summary>The server is being drained: no new prompts; its runs go on.</summary>
    Draining,

    /// <summary>A draining server has no prompt of this pool left.</summary>
    Drained,

    /// <summary>A drained server takes prompts again.</summary>
    Resumed,

    /// <summary>The server was removed from the pool.</summary>
    Removed,
}
