using WireMock.Server;

namespace ComfyUI.Client.Tests;

/// <summary>A WireMock server on a loopback port and a client pointed at it.</summary>
internal sealed class MockServer : IDisposable
{
    public MockServer(Action<ComfyUIClientOptions>? configure = null, string basePath = "/")
    {
        Server = WireMockServer.Start();
        var options = new ComfyUIClientOptions { BaseAddress = new Uri(Server.Url! + basePath), ClientId = "test-client" };
        configure?.Invoke(options);
        Client = new ComfyUIClient(options);
    }

    public WireMockServer Server { get; }

    public ComfyUIClient Client { get; }

    /// <summary>The single request the server received (fails if there were more or fewer).</summary>
    public WireMock.Logging.ILogEntry SingleRequest => Assert.Single(Server.LogEntries);

    public void Dispose()
    {
        Client.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}
