using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Http;

/// <summary>
/// The HTTP handler the client creates for itself (from options and through <c>AddComfyUIClient</c>): redirects are reported with their target
/// instead of followed, compressed answers are asked for only when the options say so, and calls that ignore the body still read it.
/// </summary>
public sealed class OwnedHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_reported_with_its_target_and_not_followed(int status)
    {
        using var mock = new MockServer();
        var target = mock.Server.Url + "/moved/api/prompt";
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Location", target));
        mock.Server.Given(Request.Create().WithPath("/moved/api/prompt"))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"prompt_id": "p", "number": 1, "node_errors": {}}"""));

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Queue.QueuePromptAsync(new QueuePromptRequest { Prompt = System.Text.Json.Nodes.JsonNode.Parse(SaveImagePrompt)!.AsObject() }, Ct));

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Contains(target, error.Message, StringComparison.Ordinal);
        Assert.Contains("BaseAddress", error.Message, StringComparison.Ordinal);
        // Not followed: the prompt was not sent again (a 301/302 would have been re-sent as a GET without its body and API key).
        Assert.DoesNotContain(mock.Server.LogEntries, entry => entry.RequestMessage!.Path.StartsWith("/moved", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compressed_answers_are_not_asked_for_by_default()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/features"))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("features.json")));

        Assert.True((await mock.Client.Discovery.GetFeaturesAsync(Ct)).SupportsPreviewMetadata);

        Assert.False(mock.SingleRequest.RequestMessage!.Headers!.ContainsKey("Accept-Encoding"));
    }

    [Fact]
    public async Task With_AcceptCompressedResponses_gzip_is_asked_for_and_decompressed()
    {
        using var mock = new MockServer(options => options.AcceptCompressedResponses = true);
        RespondGzipped(mock.Server);

        Assert.True((await mock.Client.Discovery.GetFeaturesAsync(Ct)).SupportsPreviewMetadata);

        Assert.Equal("gzip", string.Join(",", mock.SingleRequest.RequestMessage!.Headers!["Accept-Encoding"]));
    }

    [Fact]
    public async Task The_handler_of_AddComfyUIClient_follows_the_same_options()
    {
        using var server = WireMock.Server.WireMockServer.Start();
        RespondGzipped(server);
        var services = new ServiceCollection();
        services.AddComfyUIClient(options =>
        {
            options.BaseAddress = new Uri(server.Url!);
            options.AcceptCompressedResponses = true;
        });
        await using var provider = services.BuildServiceProvider();

        Assert.True((await provider.GetRequiredService<ComfyUIClient>().Discovery.GetFeaturesAsync(Ct)).SupportsPreviewMetadata);

        Assert.Equal("gzip", string.Join(",", Assert.Single(server.LogEntries).RequestMessage!.Headers!["Accept-Encoding"]));
    }

    [Fact]
    public async Task A_call_that_ignores_the_body_still_reads_it_under_its_timeout()
    {
        // The body of a successful POST /free is read (and the connection reused) before the call returns: a body that never ends is a timeout.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var connection = await listener.AcceptTcpClientAsync(Ct);
            var stream = connection.GetStream();
            var buffer = new byte[4096];
            var request = "";
            while (!request.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, Ct);
                request += Encoding.ASCII.GetString(buffer, 0, read);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial"), Ct);
            // The rest never comes: the connection stays open until the client gives up.
            while (await stream.ReadAsync(buffer, Ct) > 0)
            {
            }
        }, Ct);
        using var client = new ComfyUIClient(new ComfyUIClientOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });

        await Assert.ThrowsAsync<ComfyUITimeoutException>(() => client.Memory.FreeAsync(new FreeMemoryOptions { UnloadModels = true }, Ct));

        client.Dispose();
        await serve.WaitAsync(Waits.Deadline, Ct);
    }

    private static void RespondGzipped(WireMock.Server.WireMockServer server)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Fixture.Http("features.json")));
        }

        server.Given(Request.Create().WithPath("/api/features").WithHeader("Accept-Encoding", "*gzip*"))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithHeader("Content-Encoding", "gzip").WithBody(compressed.ToArray()));
    }

    private const string SaveImagePrompt =
        """{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 48, "batch_size": 1, "color": 0}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}""";
}
