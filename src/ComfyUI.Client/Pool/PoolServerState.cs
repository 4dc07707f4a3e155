namespace ComfyUI.Client;

/// <summary>A snapshot of one server of a <see cref="ComfyUIPool"/>: its health, its load and what the pool knows of it.</summary>
/// <remarks>Routing strategies get these as candidates; construct them yourself to test a strategy of your own.</remarks>
public sealed class PoolServerState
{
    /// <summary>The server's name in the pool.</summary>
    public required string Name { get; init; }

    /// <summary>The server's base address.</summary>
    public required Uri Address { get; init; }

    /// <summary>Whether it takes prompts: <see cref="PoolServerHealth.Healthy"/> and <see cref="PoolServerHealth.Degraded"/> do.</summary>
    public PoolServerHealth Health { get; init; }

    /// <summary>Whether it is being drained (or removed): it gets no new prompts, and its runs go on.</summary>
    public bool IsDraining { get; init; }

    /// <summary>Its weight (<see cref="PoolServerOptions.Weight"/>).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>How many prompts of this pool it may hold at once; <see langword="null"/> for no limit.</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>
    /// The server's own queue (pending and running prompts of every client) as it last reported it: its <c>status</c> messages, or
    /// <c>GET /prompt</c> while its WebSocket is down.
    /// </summary>
    public int QueueRemaining { get; init; }

    /// <summary>The prompts this pool has placed on the server that have not ended yet.</summary>
    public int InFlight { get; init; }

    /// <summary>
    /// The load the routing compares: <see cref="QueueRemaining"/> — but never less than the prompts of this pool the server accepted and still
    /// holds, which a report sent before they arrived does not show — plus the prompts of this pool being submitted to it.
    /// </summary>
    public int Load { get; init; }

    /// <summary>The checkpoint of the last prompt this pool placed on the server, when it had one (<see cref="ComfyUIPoolOptions.PreferSameCheckpoint"/>).</summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>How many times the pool saw the server restart.</summary>
    public int Restarts { get; init; }

    /// <summary>Why the server was last found unreachable, or its capabilities could not be read; <see langword="null"/> when nothing failed.</summary>
    public string? LastError { get; init; }

    /// <summary>When its capabilities (node classes and their choices) were read, or <see langword="null"/> while they are not known.</summary>
    public DateTimeOffset? CapabilitiesReadAt { get; init; }

    /// <summary>How many node classes the server has, once its capabilities are known.</summary>
    public int? NodeClassCount { get; init; }

    /// <summary>The server's feature flags (<c>GET /features</c>), once known (<see langword="null"/> for a server that has none).</summary>
    public ServerFeatures? Features { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name} ({Address}) {Health}{(IsDraining ? ", draining" : "")}, queue {QueueRemaining}, in flight {InFlight}, load {Load}, weight {Weight}";
}

/// <summary>How a <see cref="ComfyUIPool"/> sees a server.</summary>
public enum PoolServerHealth
{
    /// <summary>Not checked yet (the pool is starting, or the server was just added).</summary>
    Unknown,

    /// <summary>Its WebSocket is connected.</summary>
    Healthy,

    /// <summary>Its WebSocket is down but its HTTP answers (<c>GET /system_stats</c>): it takes prompts, and their runs poll.</summary>
    Degraded,

    /// <summary>It does not answer: it gets no new prompts and is probed again with growing delays.</summary>
    Unhealthy,
}
