using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client;

/// <summary>
/// The realtime half of the SDK: ComfyUI's <c>/ws</c> as a stream of typed <see cref="ComfyMessage"/> records, reconnecting by itself with the same
/// client id. Open it with <see cref="ComfyUIClient.ConnectWebSocketAsync(CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para><b>One socket per client id.</b> ComfyUI keeps one socket per client id: a second socket under the same id replaces the first, and when
/// either closes the server forgets the id, so the two would steal each other's events. So every handle of a client id in this process — each
/// <c>ConnectWebSocketAsync</c> and the run tracker of <c>SubmitAsync</c>/<c>RunAsync</c> — shares one physical socket. A handle is a reader of that
/// socket: disposing it ends its own streams and never closes the socket while anyone else (for example tracked runs) still uses it; the socket
/// closes when its last user is done. Options such as <see cref="ComfyWebSocketOptions"/> and the headers are those of the client that opened it.</para>
/// <para>One receive loop reads the socket and delivers each message, in order, to every reader: this handle's own stream
/// (<see cref="ReadAllAsync"/>, which buffers from the moment the handle was created) and each <see cref="Subscribe"/>d reader. A full reader holds
/// the socket back (back-pressure, for every reader of the client id, tracked runs included), except for previews when
/// <see cref="ComfyWebSocketOptions.DropPreviewsWhenFull"/> is on; execution messages are never dropped. Until someone reads the handle's own
/// stream, it buffers up to <see cref="ComfyWebSocketOptions.ChannelCapacity"/> messages and then stops buffering instead of holding the socket back.</para>
/// <para>Connection changes arrive in-band: <see cref="ConnectedMessage"/> (first, when the socket is connected as the handle is created),
/// <see cref="DisconnectedMessage"/>, <see cref="ReconnectingMessage"/>, <see cref="ReconnectedMessage"/> and a last <see cref="ClosedMessage"/>.
/// Events sent while the socket was down are lost: reconcile over HTTP after a reconnect (tracked runs do).</para>
/// </remarks>
public sealed class ComfyWebSocket : IAsyncDisposable
{
    private readonly SocketLease _lease;
    private readonly SocketConnection _connection;
    private readonly ComfyWebSocketSubscription _default;
    private readonly object _gate = new();
    private List<ComfyWebSocketSubscription>? _subscriptions;
    private int _disposed;

    private ComfyWebSocket(SocketLease lease)
    {
        _lease = lease;
        _connection = lease.Connection;
        var options = _connection.Options;
        _default = new ComfyWebSocketSubscription(_connection.FanOut, options.ChannelCapacity, options.DropPreviewsWhenFull, bufferUntilRead: true);
    }

    /// <summary>The client id the socket connects with (<see cref="ComfyUIClientOptions.ClientId"/>); prompts submitted with it report here.</summary>
    public string ClientId => _connection.ClientId;

    /// <summary>The client id as the server confirmed it in its first <c>status</c> message of the current connection, once received.</summary>
    public string? Sid => _connection.Sid;

    /// <summary>The server's answer to the <c>feature_flags</c> handshake on the current connection, once received.</summary>
    public FeatureFlagsMessage? ServerFeatures => _connection.ServerFeatures;

    /// <summary>The connection's state (<see cref="ComfyWebSocketState.Closed"/> once this handle is disposed).</summary>
    public ComfyWebSocketState State => Volatile.Read(ref _disposed) != 0 && !_connection.IsEnded ? ComfyWebSocketState.Closed : _connection.State;

    /// <summary>Whether the socket is connected now.</summary>
    public bool IsConnected => State == ComfyWebSocketState.Connected;

    /// <summary>How many times the socket reconnected.</summary>
    public int ReconnectCount => _connection.ReconnectCount;

    /// <summary>How many previews were dropped, over all readers of the socket, because a reader was full.</summary>
    public long DroppedPreviews => _connection.FanOut.DroppedPreviews;

    /// <summary>
    /// Reads this handle's own stream: every message since the handle was created (buffered up to <see cref="ComfyWebSocketOptions.ChannelCapacity"/>
    /// until the first read), then as they arrive. Ends when the handle is disposed or the socket closed; throws the fatal error when the socket
    /// failed; throws <see cref="OperationCanceledException"/> promptly on cancellation. Read it from one enumeration at a time; use
    /// <see cref="Subscribe"/> for more readers.
    /// </summary>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The messages in the order they were received.</returns>
    public IAsyncEnumerable<ComfyMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _default.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Adds an independent reader that sees every message from now on (no new socket is opened). Subscribe before submitting a prompt to see all
    /// of its events. Dispose the subscription to stop delivery to it; disposing this handle ends it too.
    /// </summary>
    /// <returns>The subscription; read it with <see cref="ComfyWebSocketSubscription.ReadAllAsync"/>.</returns>
    public ComfyWebSocketSubscription Subscribe()
    {
        var options = _connection.Options;
        var subscription = new ComfyWebSocketSubscription(_connection.FanOut, options.ChannelCapacity, options.DropPreviewsWhenFull, bufferUntilRead: false);
        lock (_gate)
        {
            if (_disposed == 0)
            {
                (_subscriptions ??= []).Add(subscription);
                _connection.FanOut.Add(subscription);
                return subscription;
            }
        }

        subscription.Complete(null, null);
        return subscription;
    }

    /// <summary>
    /// Ends this handle's streams (each gets a last <see cref="ClosedMessage"/>). When no one else uses the client id's socket, it is closed
    /// cleanly (close handshake with a deadline, then abort) before this returns; otherwise it stays open for the others (for example tracked runs).
    /// </summary>
    /// <returns>A task that completes when the handle is released.</returns>
    public async ValueTask DisposeAsync()
    {
        ComfyWebSocketSubscription[] own;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _disposed = 1;
            own = [_default, .. _subscriptions ?? []];
        }

        var closed = new ClosedMessage { Time = _connection.TimeProvider.GetUtcNow() };
        foreach (var subscription in own)
        {
            _connection.FanOut.Remove(subscription);
            subscription.Complete(closed, null);
        }

        await _lease.ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>Leases the client id's socket (opening it when needed) and attaches a new handle to it.</summary>
    internal static async Task<ComfyWebSocket> ConnectAsync(ComfyUIClient client, CancellationToken cancellationToken)
    {
        var lease = await client.AcquireSocketAsync(cancellationToken).ConfigureAwait(false);
        var handle = new ComfyWebSocket(lease);
        var connection = lease.Connection;
        connection.FanOut.Add(handle._default, connection.AttachMessage());
        connection.StartPump();
        return handle;
    }

    /// <summary>Builds the socket URL (kept for tests).</summary>
    internal static Uri BuildUri(Uri baseAddress, string clientId, IDictionary<string, string> queryParameters) =>
        SocketOpener.BuildUri(baseAddress, clientId, queryParameters);
}
