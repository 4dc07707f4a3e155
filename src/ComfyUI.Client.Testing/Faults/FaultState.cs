using ComfyUI.Client.Testing.Nodes;

namespace ComfyUI.Client.Testing.Faults;

/// <summary>The scripted faults that affect validation and execution.</summary>
internal sealed class FaultState
{
    private readonly object gate = new();
    private readonly List<(string Node, string ExceptionType, string Message)> errors = [];
    private readonly Dictionary<string, TimeSpan> slow = new(StringComparer.Ordinal);
    private readonly List<NodeHold> holds = [];

    public string? FailNextValidationMessage { get; set; }

    public void AddError(string node, string exceptionType, string message)
    {
        lock (gate)
        {
            errors.Add((node, exceptionType, message));
        }
    }

    public void AddSlow(string node, TimeSpan delay)
    {
        lock (gate)
        {
            slow[node] = delay;
        }
    }

    public void AddHold(NodeHold hold)
    {
        lock (gate)
        {
            holds.Add(hold);
        }
    }

    public string? TakeFailNextValidation()
    {
        lock (gate)
        {
            var m = FailNextValidationMessage;
            FailNextValidationMessage = null;
            return m;
        }
    }

    public void Reset()
    {
        lock (gate)
        {
            errors.Clear();
            slow.Clear();
            foreach (var h in holds)
            {
                h.Release();
            }

            holds.Clear();
            FailNextValidationMessage = null;
        }
    }

    /// <summary>Applies the faults for a node that is about to run (hold, slow, error).</summary>
    public async Task BeforeNodeAsync(string nodeId, string classType, CancellationToken cancellationToken)
    {
        NodeHold? hold;
        TimeSpan? delay = null;
        (string Node, string ExceptionType, string Message)? error = null;
        lock (gate)
        {
            hold = holds.FirstOrDefault(h => h.Node == nodeId || h.Node == classType);
            if (hold is not null)
            {
                holds.Remove(hold);
            }

            if (slow.TryGetValue(nodeId, out var d) || slow.TryGetValue(classType, out d))
            {
                delay = d;
            }

            var index = errors.FindIndex(e => e.Node == nodeId || e.Node == classType);
            if (index >= 0)
            {
                error = errors[index];
                errors.RemoveAt(index);
            }
        }

        if (hold is not null)
        {
            hold.MarkReached();
            await hold.Released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (delay is { } wait)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }

        if (error is { } e)
        {
            throw new NodeException(e.ExceptionType, e.Message);
        }
    }
}
