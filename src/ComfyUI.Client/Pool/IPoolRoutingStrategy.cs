namespace ComfyUI.Client;

/// <summary>
/// Chooses the server of a prompt among the servers of a <see cref="ComfyUIPool"/> that can take it: every candidate is up, not draining, under
/// its <see cref="PoolServerOptions.MaxInFlight"/>, and can run the workflow (its node classes and input choices pass the server's validation).
/// </summary>
/// <remarks>
/// Called under the pool's routing lock, one prompt at a time, so that each choice sees the prompts placed before it: keep it fast, and do not
/// call the pool from it. Built in: <see cref="LeastLoadedStrategy"/> and <see cref="RoundRobinStrategy"/>.
/// </remarks>
public interface IPoolRoutingStrategy
{
    /// <summary>Chooses one of <paramref name="candidates"/> (never empty) for the prompt.</summary>
    /// <param name="candidates">The servers that can take the prompt now, in the pool's order.</param>
    /// <param name="request">The prompt being placed.</param>
    /// <returns>One of the candidates.</returns>
    PoolServerState Select(IReadOnlyList<PoolServerState> candidates, PoolRoutingRequest request);
}

/// <summary>A prompt a <see cref="ComfyUIPool"/> is placing on a server.</summary>
public sealed class PoolRoutingRequest
{
    /// <summary>The workflow.</summary>
    public required Workflow Workflow { get; init; }

    /// <summary>The checkpoint it loads (<see cref="ComfyUIPoolOptions.CheckpointOf"/>), or <see langword="null"/> when it loads none.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Which placement this is: 1 for the first, more when the prompt is submitted again after its server was lost.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The server that lost the prompt, when it is placed again.</summary>
    public string? PreviousServer { get; init; }
}
