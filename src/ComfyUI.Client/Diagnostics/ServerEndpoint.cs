using System.Diagnostics;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// A server's <c>server.address</c> and <c>server.port</c>, read once from its base address (no path, no query, no user info: never a secret),
/// ready to add to spans and metric tags without allocating.
/// </summary>
internal sealed class ServerEndpoint
{
    private readonly object _port;

    private ServerEndpoint(string address, int port)
    {
        Address = address;
        Port = port;
        _port = port;
    }

    /// <summary>The host name or IP address (IPv6 without brackets).</summary>
    public string Address { get; }

    /// <summary>The port (the scheme's default when the address names none).</summary>
    public int Port { get; }

    /// <summary>The endpoint of a server's base address.</summary>
    public static ServerEndpoint From(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        return new ServerEndpoint(baseAddress.IdnHost.Trim('[', ']'), baseAddress.Port);
    }

    /// <summary>Adds <c>server.address</c> and <c>server.port</c> to metric tags.</summary>
    public void AddTo(ref TagList tags)
    {
        tags.Add(TelemetryNames.ServerAddress, Address);
        tags.Add(TelemetryNames.ServerPort, _port);
    }

    /// <summary>Sets <c>server.address</c> and <c>server.port</c> on a span.</summary>
    public void SetOn(Activity activity)
    {
        activity.SetTag(TelemetryNames.ServerAddress, Address);
        activity.SetTag(TelemetryNames.ServerPort, _port);
    }

    /// <summary>The tags of this endpoint alone.</summary>
    public TagList Tags()
    {
        var tags = default(TagList);
        AddTo(ref tags);
        return tags;
    }
}
