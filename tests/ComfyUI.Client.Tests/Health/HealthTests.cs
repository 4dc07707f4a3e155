using System.Net;
using System.Net.Sockets;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Health;

public sealed class HealthTests
{
    private static IResponseBuilder Ok() =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"exec_info": {"queue_remaining": 0}}""");

    private static IResponseBuilder Failing() => Response.Create().WithStatusCode(500).WithBody("500 Internal Server Error\n\nServer got itself in trouble");

    [Fact]
    public async Task IsHealthy_is_true_when_the_server_answers_GET_api_prompt()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingGet()).RespondWith(Ok());

        Assert.True(await mock.Client.IsHealthyAsync(TestContext.Current.CancellationToken));
        Assert.Equal("/api/prompt", mock.SingleRequest.RequestMessage!.Path);
    }

    [Fact]
    public async Task IsHealthy_is_false_for_500()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingGet()).RespondWith(Failing());

        Assert.False(await mock.Client.IsHealthyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IsHealthy_is_false_for_a_non_JSON_200()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/html").WithBody("<html>a proxy page</html>"));

        Assert.False(await mock.Client.IsHealthyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IsHealthy_is_false_for_404()
    {
        using var mock = new MockServer();

        Assert.False(await mock.Client.IsHealthyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IsHealthy_is_false_when_the_connection_is_refused()
    {
        using var client = new ComfyUIClient(new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        Assert.False(await client.IsHealthyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IsHealthy_throws_on_caller_cancellation()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingGet()).RespondWith(Ok());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mock.Client.IsHealthyAsync(cancelled.Token));
    }

    [Fact]
    public async Task WaitUntilReady_returns_when_the_server_becomes_healthy_after_failures()
    {
        using var mock = new MockServer();
        var prompt = Request.Create().WithPath("/api/prompt").UsingGet();
        mock.Server.Given(prompt).InScenario("start").WillSetStateTo("fail 1").RespondWith(Failing());
        mock.Server.Given(prompt).InScenario("start").WhenStateIs("fail 1").WillSetStateTo("fail 2")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("starting"));
        mock.Server.Given(prompt).InScenario("start").WhenStateIs("fail 2").WillSetStateTo("ready").RespondWith(Failing());
        mock.Server.Given(prompt).InScenario("start").WhenStateIs("ready").RespondWith(Ok());

        await mock.Client.WaitUntilReadyAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(4, mock.Server.LogEntries.Count);
    }

    [Fact]
    public async Task WaitUntilReady_fails_at_the_deadline_naming_the_address_and_the_last_failure()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingGet()).RespondWith(Failing());

        var ex = await Assert.ThrowsAsync<ComfyUITimeoutException>(() =>
            mock.Client.WaitUntilReadyAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken));

        Assert.Contains(mock.Client.BaseAddress.ToString(), ex.Message);
        Assert.Contains("500", ex.Message);
        Assert.Equal(TimeSpan.FromSeconds(2), ex.Timeout);
        var api = Assert.IsType<ComfyUIApiException>(ex.InnerException);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.True(mock.Server.LogEntries.Count >= 2);
    }

    [Fact]
    public async Task WaitUntilReady_fails_at_the_deadline_when_nothing_listens()
    {
        using var client = new ComfyUIClient(new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var ex = await Assert.ThrowsAsync<ComfyUITimeoutException>(() =>
            client.WaitUntilReadyAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));

        Assert.Contains("127.0.0.1", ex.Message);
        var connection = Assert.IsType<ComfyUIConnectionException>(ex.InnerException);
        Assert.True(connection.RequestNeverSent);
        Assert.IsType<HttpRequestException>(connection.InnerException);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
