namespace ComfyUI.Client.Tests.WebSockets;

public sealed class ComfyWebSocketOptionsTests
{
    [Theory]
    [InlineData("base0")]
    [InlineData("maxBelowBase")]
    [InlineData("refusedNegative")]
    [InlineData("keepAliveNegative")]
    [InlineData("idleZero")]
    [InlineData("capacity0")]
    [InlineData("attemptsNegative")]
    public void Invalid_websocket_options_are_rejected(string change)
    {
        var options = new ComfyUIClientOptions { BaseAddress = new Uri("http://127.0.0.1:8188/") };
        var ws = options.WebSocket;
        switch (change)
        {
            case "base0": ws.ReconnectBaseDelay = TimeSpan.Zero; break;
            case "maxBelowBase": ws.ReconnectMaxDelay = TimeSpan.FromMilliseconds(100); break;
            case "refusedNegative": ws.RefusedRetryDelay = TimeSpan.FromSeconds(-1); break;
            case "keepAliveNegative": ws.KeepAliveInterval = TimeSpan.FromSeconds(-2); break;
            case "idleZero": ws.IdleTimeout = TimeSpan.Zero; break;
            case "capacity0": ws.ChannelCapacity = 0; break;
            case "attemptsNegative": ws.MaxReconnectAttempts = -1; break;
        }

        Assert.True(new ComfyUIClientOptionsValidator().Validate(null, options).Failed);
        Assert.Throws<ArgumentException>(() => new ComfyUIClient(options));
    }

    [Fact]
    public void Defaults_are_valid_and_cloned_with_the_client()
    {
        var options = new ComfyUIClientOptions { BaseAddress = new Uri("http://127.0.0.1:8188/") };
        options.WebSocket.QueryParameters["token"] = "t";
        Assert.False(new ComfyUIClientOptionsValidator().Validate(null, options).Failed);
        using var client = new ComfyUIClient(options);
        options.WebSocket.QueryParameters["token"] = "changed";
        Assert.Equal("t", client.Pipeline.Options.WebSocket.QueryParameters["token"]);
    }
}
