using System.Diagnostics.Metrics;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Http;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// One physical socket per client id (and server) in this process. ComfyUI keeps one socket per <c>clientId</c>: the newest replaces the
/// older one, and when either closes the id is dropped, so a second socket under the same id would steal the first one's events. Every
/// <see cref="ComfyWebSocket"/> handle and the run tracker lease the same <see cref="SocketConnection"/>; it closes when the last lease is
/// released, and a new one is opened only after the old one has closed.
/// </summary>
internal static class SocketRegistry
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, SocketConnection> Connections = new(StringComparer.Ordinal);

    /// <summary>The number of connections in the registry (tests).</summary>
    internal static int Count
    {
        get
        {
            lock (Gate)
            {
                return Connections.Count;
            }
        }
    }

    /// <summary>The open sockets by server and state, for the <c>comfyui.websocket.connections</c> instrument (called when it is collected).</summary>
    internal static IEnumerable<Measurement<long>> MeasureConnections()
    {
        var counts = new Dictionary<(string Address, int Port, ComfyWebSocketState State), (ServerEndpoint Server, long Count)>();
        lock (Gate)
        {
            foreach (var connection in Connections.Values)
            {
                if (connection.State is ComfyWebSocketState.Connecting or ComfyWebSocketState.Connected or ComfyWebSocketState.Reconnecting)
                {
                    var key = (connection.Server.Address, connection.Server.Port, connection.State);
                    counts[key] = (connection.Server, counts.GetValueOrDefault(key).Count + 1);
                }
            }
        }

        var measurements = new List<Measurement<long>>(counts.Count);
        foreach (var ((_, _, state), (server, count)) in counts)
        {
            var tags = server.Tags();
            tags.Add(TelemetryNames.SocketState, state switch
            {
                ComfyWebSocketState.Connecting => "connecting",
                ComfyWebSocketState.Connected => "connected",
                _ => "reconnecting",
            });
            measurements.Add(new Measurement<long>(count, tags));
        }

        return measurements;
    }

    /// <summary>
    /// Leases the socket of the pipeline's client id, opening it when there is none. The caller attaches its readers and then calls
    /// <see cref="SocketConnection.StartPump"/>.
    /// </summary>
    /// <param name="pipeline">The client's pipeline (address, client id, headers, options, clock).</param>
    /// <param name="hooks">Test switches.</param>
    /// <param name="probe">An HTTP call that proves the server alive (used by the idle watchdog).</param>
    /// <param name="cancellationToken">Cancels the wait for the socket (not the socket).</param>
    /// <exception cref="ComfyUIWebSocketException">The socket could not be opened.</exception>
    public static async Task<SocketLease> AcquireAsync(ComfyHttpPipeline pipeline, ComfyWebSocketHooks hooks, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        var key = SocketOpener.BuildUri(pipeline.BaseAddress, pipeline.Options.ClientId, pipeline.Options.WebSocket.QueryParameters).AbsoluteUri;
        while (true)
        {
            SocketConnection? connection;
            SocketConnection? closing = null;
            SocketLease? lease = null;
            lock (Gate)
            {
                if (Connections.TryGetValue(key, out connection) && connection.IsEnded)
                {
                    // Closing (or ended by itself): a new socket may open only once the old one is gone on the server.
                    closing = connection;
                    connection = null;
                }

                if (closing is null)
                {
                    if (connection is null)
                    {
                        connection = new SocketConnection(pipeline, hooks);
                        Connections[key] = connection;
                        connection.BeginOpen(cancellationToken);
                    }

                    lease = new SocketLease(connection, probe);
                    connection.AddLease(lease);
                }
            }

            if (closing is not null)
            {
                await closing.Closed.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                lock (Gate)
                {
                    if (Connections.TryGetValue(key, out var current) && ReferenceEquals(current, closing) && closing.Closed.IsCompleted)
                    {
                        Connections.Remove(key);
                    }
                }

                continue;
            }

            try
            {
                await connection!.Opened.WaitAsync(cancellationToken).ConfigureAwait(false);
                return lease!;
            }
            catch
            {
                lock (Gate)
                {
                    connection!.RemoveLease(lease!);
                    if (connection.Opened.IsFaulted || connection.Opened.IsCanceled)
                    {
                        if (Connections.TryGetValue(key, out var current) && ReferenceEquals(current, connection))
                        {
                            Connections.Remove(key);
                        }
                    }
                }

                throw;
            }
        }
    }

    /// <summary>Releases a lease; the last one closes the socket (cleanly, bounded) before this returns.</summary>
    public static async ValueTask ReleaseAsync(SocketLease lease)
    {
        var connection = lease.Connection;
        bool last;
        lock (Gate)
        {
            last = connection.RemoveLease(lease);
            if (last)
            {
                // From here on nobody joins it: a new lease waits until it has closed and opens a new socket.
                connection.MarkClosing();
            }
        }

        if (!last)
        {
            return;
        }

        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (Gate)
            {
                if (connection.LeaseCount == 0 && Connections.TryGetValue(connection.Key, out var current) && ReferenceEquals(current, connection))
                {
                    Connections.Remove(connection.Key);
                }
            }
        }
    }
}

/// <summary>One holder's claim on a <see cref="SocketConnection"/>: the socket stays open while any lease is held.</summary>
internal sealed class SocketLease(SocketConnection connection, Func<CancellationToken, Task> probe)
{
    private int _released;

    public SocketConnection Connection { get; } = connection;

    /// <summary>An HTTP call through the holder's client that proves the server alive.</summary>
    public Func<CancellationToken, Task> Probe { get; } = probe;

    /// <summary>Releases the lease once.</summary>
    public ValueTask ReleaseAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? SocketRegistry.ReleaseAsync(this) : ValueTask.CompletedTask;
}
