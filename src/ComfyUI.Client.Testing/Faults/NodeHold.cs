namespace ComfyUI.Client.Testing.Faults;

/// <summary>
/// A gate in front of one node: the next time that node is about to run, the prompt waits here
/// (showing `executing` for the node, as a slow node would) until the test calls <see cref="Release"/>.
/// An interrupt while held ends the prompt with `execution_interrupted`.
/// </summary>
public sealed class NodeHold
{
    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal NodeHold(string node)
    {
        Node = node;
    }

    /// <summary>The node id or class type this hold applies to.</summary>
    public string Node { get; }

    /// <summary>Whether a prompt has reached the node and is waiting.</summary>
    public bool IsReached => reached.Task.IsCompleted;

    internal Task Released => released.Task;

    internal void MarkReached() => reached.TrySetResult();

    /// <summary>Waits until a prompt reaches the held node.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the node is reached.</returns>
    public Task WaitUntilReachedAsync(CancellationToken cancellationToken = default) => reached.Task.WaitAsync(cancellationToken);

    /// <summary>Lets the held node run.</summary>
    public void Release() => released.TrySetResult();
}
