namespace ComfyUI.Client;

/// <summary>
/// Sends prompts to each server in turn, in proportion to its weight (smooth weighted round-robin: with weights 2 and 1 the order is A, B, A, …),
/// whatever the servers' queues. Servers that cannot take a prompt are skipped without losing their turn's share.
/// </summary>
public sealed class RoundRobinStrategy : IPoolRoutingStrategy
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _current = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public PoolServerState Select(IReadOnlyList<PoolServerState> candidates, PoolRoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(request);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("There is no candidate to choose from.", nameof(candidates));
        }

        lock (_gate)
        {
            PoolServerState? chosen = null;
            long chosenCurrent = long.MinValue;
            long total = 0;
            foreach (var candidate in candidates)
            {
                var weight = Math.Max(1, candidate.Weight);
                total += weight;
                var current = _current.GetValueOrDefault(candidate.Name) + weight;
                _current[candidate.Name] = current;
                if (current > chosenCurrent)
                {
                    chosen = candidate;
                    chosenCurrent = current;
                }
            }

            _current[chosen!.Name] = chosenCurrent - total;
            return chosen;
        }
    }
}
