namespace ComfyUI.Client;

/// <summary>
/// Sends a prompt to the server with the shortest queue for its weight: the one where <c>(Load + 1) / Weight</c> is lowest, that is the server
/// that will have the least work per unit of weight once it has this prompt. <see cref="PoolServerState.Load"/> is the server's own queue
/// (what every client queued there, as the server reports it) with this pool's prompts it does not show yet, so several processes with pools over the same servers balance
/// their load without talking to each other. Ties go to a server whose last prompt loaded the same checkpoint (when
/// <see cref="PreferSameCheckpoint"/>), then to each tied server in turn.
/// </summary>
public sealed class LeastLoadedStrategy : IPoolRoutingStrategy
{
    private int _turn;

    /// <summary>Whether ties go to a server whose last prompt loaded the same checkpoint. Defaults to <see langword="true"/>.</summary>
    public bool PreferSameCheckpoint { get; init; } = true;

    /// <inheritdoc />
    public PoolServerState Select(IReadOnlyList<PoolServerState> candidates, PoolRoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(request);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("There is no candidate to choose from.", nameof(candidates));
        }

        var best = double.MaxValue;
        var tied = new List<PoolServerState>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var score = (candidate.Load + 1.0) / Math.Max(1, candidate.Weight);
            if (score < best)
            {
                best = score;
                tied.Clear();
            }

            if (score == best)
            {
                tied.Add(candidate);
            }
        }

        if (tied.Count == 1)
        {
            return tied[0];
        }

        if (PreferSameCheckpoint && request.Checkpoint is { } checkpoint)
        {
            foreach (var candidate in tied)
            {
                if (string.Equals(candidate.LastCheckpoint, checkpoint, StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
        }

        // Each tied server in turn, so equal servers share the prompts that come before any of them reports its queue.
        var turn = (uint)Interlocked.Increment(ref _turn);
        return tied[(int)(turn % (uint)tied.Count)];
    }
}
