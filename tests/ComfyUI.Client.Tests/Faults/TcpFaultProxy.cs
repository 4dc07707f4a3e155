using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ComfyUI.Client.Tests.Faults;

/// <summary>
/// A loopback TCP proxy between client and server that misbehaves like a network on command: cut every connection, hold the
/// current ones open but silent, refuse new ones.
/// </summary>
internal sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Link> _links = new();
    private readonly Task _accepting;
    private int _next;

    public TcpFaultProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        _listener.Start();
        BaseAddress = new UriBuilder(target) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>New connections are accepted and closed at once.</summary>
    public bool RefuseNew { get; set; }

    /// <summary>How many connections were accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _next);

    /// <summary>Drops every current connection (RST), as a network cut would.</summary>
    public void CutAll()
    {
        foreach (var link in _links.Values)
        {
            link.Cut();
        }
    }

    /// <summary>Stops forwarding on every current connection, both ways, keeping them open: a silent stall.</summary>
    public void HoldAll()
    {
        foreach (var link in _links.Values)
        {
            link.Held = true;
        }
    }

    /// <summary>Stops forwarding the server's frames on every current WebSocket connection, keeping it open: a socket held silent.</summary>
    public void HoldWebSocketsFromServer()
    {
        foreach (var link in _links.Values.Where(l => l.IsWebSocket))
        {
            link.HeldFromServer = true;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _next);
            if (RefuseNew)
            {
                client.Close(0);
                continue;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.Close(0);
                server.Dispose();
                continue;
            }

            var link = new Link(client, server);
            _links[id] = link;
            _ = link.RunAsync(_stop.Token).ContinueWith(_ => _links.TryRemove(id, out var _), TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
        _stop.Dispose();
    }

    private sealed class Link(Socket client, Socket server)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Held;

        public volatile bool HeldFromServer;

        /// <summary>Whether the client opened this connection with a WebSocket upgrade (<c>GET …/ws?…</c>).</summary>
        public volatile bool IsWebSocket;

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                await Task.WhenAny(PumpAsync(client, server, fromServer: false, stop), PumpAsync(server, client, fromServer: true, stop));
            }
            finally
            {
                Cut();
            }
        }

        private async Task PumpAsync(Socket from, Socket to, bool fromServer, CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            var first = true;
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop);
                    if (read == 0)
                    {
                        return;
                    }

                    if (first && !fromServer)
                    {
                        var head = System.Text.Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 256));
                        IsWebSocket = head.StartsWith("GET ", StringComparison.Ordinal) && head.Contains("/ws?", StringComparison.Ordinal);
                    }

                    first = false;
                    if (Held || (fromServer && HeldFromServer))
                    {
                        await _released.Task.WaitAsync(stop); // swallow: the peer hears nothing, the socket stays open
                    }

                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public void Cut()
        {
            _released.TrySetCanceled();
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }
}
