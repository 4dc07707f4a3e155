using System.Net;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Memory;

/// <summary><c>POST /free</c>: the body the real server reads (<c>unload_models</c>, <c>free_memory</c>), its empty 200 answer, and failures.</summary>
public sealed class MemoryClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void AnswerFree(MockServer mock, int status = 200, string body = "") =>
        mock.Server.Given(Request.Create().WithPath("/api/free").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithBody(body));

    private static JsonObject SentBody(MockServer mock) => JsonNode.Parse(mock.SingleRequest.RequestMessage!.Body!)!.AsObject();

    [Fact]
    public async Task Free_with_no_options_unloads_the_models_and_frees_memory()
    {
        using var mock = new MockServer();
        AnswerFree(mock, body: Fixture.Http("free.txt"));

        await mock.Client.Memory.FreeAsync(cancellationToken: Ct);

        var body = SentBody(mock);
        Assert.True(body["unload_models"]!.GetValue<bool>());
        Assert.True(body["free_memory"]!.GetValue<bool>());
        Assert.StartsWith("application/json", mock.SingleRequest.RequestMessage!.Headers!["Content-Type"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Free_sends_exactly_what_the_options_say_as_the_real_frontend_does()
    {
        using var mock = new MockServer();
        AnswerFree(mock);

        // The captured request of the real frontend's "unload models" button.
        await mock.Client.Memory.FreeAsync(new FreeMemoryOptions { UnloadModels = true, FreeMemory = false }, Ct);

        var expected = JsonNode.Parse(Fixture.Http("_index.json"))!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "free")!["request_json"]!;
        Assert.True(JsonNode.DeepEquals(expected, SentBody(mock)));
    }

    [Fact]
    public async Task A_failing_server_throws_the_api_exception_with_the_route()
    {
        using var mock = new MockServer();
        AnswerFree(mock, 500, "boom");

        var ex = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Memory.FreeAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("/api/free", ex.Route);
        Assert.Equal("boom", ex.ResponseBody);
    }
}
