namespace ComfyUI.Client.Testing.Faults;

/// <summary>Scripted faults of a <see cref="FakeComfyUIServer"/>. Each one looks on the wire the way the real server would show it.</summary>
public sealed class FakeServerFaults
{
    private readonly FakeComfyUIServer server;

    internal FakeServerFaults(FakeComfyUIServer server)
    {
        this.server = server;
    }

    /// <summary>The next POST /prompt fails validation (400 <c>prompt_outputs_failed_validation</c> with a <c>custom_validation_failed</c> node error).</summary>
    /// <param name="message">The reason shown in the node error.</param>
    public void FailNextValidation(string message = "Fault injected by the test") => server.FaultState.FailNextValidationMessage = message;

    /// <summary>The next time the node runs it raises an exception (<c>execution_error</c>).</summary>
    /// <param name="node">A node id of the prompt, or a class type.</param>
    /// <param name="exceptionType">The Python exception type shown in <c>exception_type</c>.</param>
    /// <param name="message">The exception message.</param>
    public void RaiseErrorAtNode(string node, string exceptionType = "RuntimeError", string message = "Fault injected by the test")
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        server.FaultState.AddError(node, exceptionType, message);
    }

    /// <summary>Every run of the node takes <paramref name="delay"/> longer (interruptible), until <see cref="Reset"/>.</summary>
    /// <param name="node">A node id of the prompt, or a class type.</param>
    /// <param name="delay">The extra time.</param>
    public void SlowNode(string node, TimeSpan delay)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        server.FaultState.AddSlow(node, delay);
    }

    /// <summary>Holds the next run of the node until the returned gate is released.</summary>
    /// <param name="node">A node id of the prompt, or a class type.</param>
    /// <returns>The gate.</returns>
    public NodeHold HoldNode(string node)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        var hold = new NodeHold(node);
        server.FaultState.AddHold(hold);
        return hold;
    }

    /// <summary>Aborts every WebSocket now (no close frame, as when the server process dies).</summary>
    public void DropWebSockets() => server.Hub.DropAll();

    /// <summary>Aborts every WebSocket after <paramref name="messages"/> more frames were sent (to any socket).</summary>
    /// <param name="messages">How many frames to deliver first.</param>
    public void DropWebSocketsAfter(int messages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        server.Hub.DropAfter(messages);
    }

    /// <summary>Refuses WebSocket upgrades with <paramref name="statusCode"/> (empty body, like the origin guard's 403).</summary>
    /// <param name="statusCode">The HTTP status of the refusal.</param>
    public void RefuseWebSocketUpgrades(int statusCode = 403) => server.Hub.RefuseStatusCode = statusCode;

    /// <summary>Accepts WebSocket upgrades again.</summary>
    public void AcceptWebSocketUpgrades() => server.Hub.RefuseStatusCode = 0;

    /// <summary>Sockets stay connected but receive nothing; messages meant for them meanwhile are lost.</summary>
    public void StallWebSockets() => server.Hub.Stalled = true;

    /// <summary>Ends <see cref="StallWebSockets"/>; later messages are delivered again.</summary>
    public void ResumeWebSockets() => server.Hub.Stalled = false;

    /// <summary>Simulates a server restart: the queue, the running prompt (no further events), the cache and all sockets are lost.</summary>
    /// <param name="keepHistory">Whether /history survives (it does not on a real restart).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the server accepts requests again.</returns>
    public Task RestartAsync(bool keepHistory = false, CancellationToken cancellationToken = default) => server.RestartAsync(keepHistory, cancellationToken);

    /// <summary>
    /// Kills the server as when its process dies: sockets are cut, the port refuses connections, and the queue, the running prompt (no further
    /// events), the cache and the history are lost. <see cref="ReviveAsync"/> starts it again on the same port.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the port refuses connections.</returns>
    public Task KillAsync(CancellationToken cancellationToken = default) => server.KillAsync(cancellationToken);

    /// <summary>Starts a killed server again on the same port, as a fresh process: empty queue and history, prompt counter from 0.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server accepts requests again.</returns>
    public Task ReviveAsync(CancellationToken cancellationToken = default) => server.ReviveAsync(cancellationToken);

    /// <summary>Clears every fault (releases held nodes, accepts and resumes sockets).</summary>
    public void Reset()
    {
        server.FaultState.Reset();
        server.Hub.RefuseStatusCode = 0;
        server.Hub.Stalled = false;
        server.Hub.DropAfter(-1);
    }
}
