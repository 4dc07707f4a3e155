using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Http;

/// <summary>Error shapes, timeouts, cancellation, headers, base path and DI through the sub-clients of the REST surface.</summary>
public sealed class RestPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Respond(MockServer mock, int status, string body, string contentType = "application/json; charset=utf-8") =>
        mock.Server.Given(Request.Create().WithPath(new WildcardMatcher("*")))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));

    [Fact]
    public async Task Shape_A_prompt_error_body_is_parsed()
    {
        using var mock = new MockServer();
        Respond(mock, 400, Fixture.Http("prompt_error_invalid_inputs.json"));

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Discovery.GetSystemStatsAsync(Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("prompt_outputs_failed_validation", error.Error!.Type);
        Assert.NotEmpty(error.Error.NodeErrors);
        Assert.Equal(Fixture.Http("prompt_error_invalid_inputs.json"), error.ResponseBody);
    }

    [Fact]
    public async Task Shape_B_simple_error_is_parsed_and_get_is_not_null_for_other_statuses()
    {
        using var mock = new MockServer();
        Respond(mock, 400, """{"error": "limit must be an integer"}""");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Jobs.GetAsync("x", Ct));

        Assert.Equal("limit must be an integer", error.Error!.Message);
        Assert.Equal("/api/jobs/x", error.Route);
        Assert.Equal("GET", error.Method);
    }

    [Fact]
    public async Task Shape_C_assets_error_is_parsed()
    {
        using var mock = new MockServer();
        Respond(mock, 503, """{"error": {"code": "SERVICE_DISABLED", "message": "Assets system is disabled.", "details": {}}}""");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Discovery.GetFeaturesAsync(Ct));

        Assert.Equal("SERVICE_DISABLED", error.Error!.Code);
        Assert.Equal("Assets system is disabled.", error.Error.Message);
    }

    [Fact]
    public async Task Shape_D_plain_text_and_aiohttp_500_keep_the_text()
    {
        using var mock = new MockServer();
        Respond(mock, 500, "500 Internal Server Error\n\nServer got itself in trouble", "text/plain; charset=utf-8");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.UserData.ListAsync("workflows", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.StartsWith("500 Internal Server Error", error.ResponseBody, StringComparison.Ordinal);
        Assert.Contains("Server got itself in trouble", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shape_E_empty_body()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/view").UsingGet()).RespondWith(Response.Create().WithStatusCode(403));

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Files.OpenViewAsync(new OutputFile { Filename = "x.png", Subfolder = "../.." }, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Null(error.ResponseBody);
        Assert.Null(error.Error);
    }

    [Fact]
    public async Task Error_body_is_capped()
    {
        using var mock = new MockServer(options => options.MaxErrorBodyLength = 300);
        Respond(mock, 500, new string('x', 100_000), "text/plain");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Users.GetUsersAsync(Ct));

        Assert.Equal(300, error.ResponseBody!.Length);
    }

    [Theory]
    [InlineData("{\"storage\": ")]
    [InlineData("<html>not json</html>")]
    [InlineData("[1, 2]")]
    public async Task Malformed_json_is_a_protocol_exception(string body)
    {
        using var mock = new MockServer();
        Respond(mock, 200, body);

        await Assert.ThrowsAsync<ComfyUIProtocolException>(() => mock.Client.Users.GetUsersAsync(Ct));
        await Assert.ThrowsAsync<ComfyUIProtocolException>(() => mock.Client.Jobs.ListAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task Json_null_where_an_object_is_required_is_a_protocol_exception()
    {
        using var mock = new MockServer();
        Respond(mock, 200, "null");

        await Assert.ThrowsAsync<ComfyUIProtocolException>(() => mock.Client.Discovery.GetSystemStatsAsync(Ct));
    }

    [Fact]
    public async Task Caller_cancellation_is_an_operation_canceled_exception()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/system_stats")).RespondWith(Response.Create().WithDelay(TimeSpan.FromSeconds(2)).WithBody("{}"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mock.Client.Discovery.GetSystemStatsAsync(cancel.Token));

        Assert.IsNotType<ComfyUITimeoutException>(error);
    }

    [Fact]
    public async Task Per_call_timeout_is_a_timeout_exception()
    {
        using var mock = new MockServer(options => options.RequestTimeout = TimeSpan.FromMilliseconds(200));
        mock.Server.Given(Request.Create().WithPath("/api/jobs")).RespondWith(Response.Create().WithDelay(TimeSpan.FromSeconds(2)).WithBody("{}"));

        var error = await Assert.ThrowsAsync<ComfyUITimeoutException>(() => mock.Client.Jobs.ListAsync(cancellationToken: Ct));

        Assert.Equal(TimeSpan.FromMilliseconds(200), error.Timeout);
    }

    [Fact]
    public async Task Base_path_is_kept_for_api_jobs_and_internal_routes()
    {
        using var mock = new MockServer(basePath: "/comfy/");
        Respond(mock, 200, "[]");

        await mock.Client.Discovery.GetEmbeddingsAsync(Ct);
        await mock.Client.Jobs.IsSupportedAsync(Ct);
#pragma warning disable COMFYUI001
        await mock.Client.Internal.GetFilesAsync("output", Ct);
#pragma warning restore COMFYUI001
        var uri = mock.Client.Files.GetViewUri(new OutputFile { Filename = "a.png" });

        Assert.Equal(["/comfy/api/embeddings", "/comfy/api/jobs", "/comfy/internal/files/output"], mock.Server.LogEntries.Select(entry => entry.RequestMessage!.Path));
        Assert.Equal("/comfy/api/view", uri.AbsolutePath);
    }

    [Fact]
    public async Task Api_key_user_and_default_headers_are_sent()
    {
        using var mock = new MockServer(options =>
        {
            options.ApiKey = "secret-key";
            options.User = "alice_1";
            options.DefaultHeaders["X-Trace"] = "t1";
        });
        Respond(mock, 200, Fixture.Http("users.json"));

        await mock.Client.Users.GetUsersAsync(Ct);

        var headers = mock.SingleRequest.RequestMessage!.Headers!;
        Assert.Equal("Bearer secret-key", headers["Authorization"].ToString());
        Assert.Equal("alice_1", headers["Comfy-User"].ToString());
        Assert.Equal("t1", headers["X-Trace"].ToString());
    }

    [Fact]
    public async Task Api_key_in_a_custom_header_is_sent_raw_and_never_in_messages()
    {
        using var mock = new MockServer(options =>
        {
            options.ApiKey = "secret-key";
            options.ApiKeyHeaderName = "X-API-KEY";
        });
        Respond(mock, 500, "boom", "text/plain");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Files.UploadImageAsync(new MemoryStream([1]), "a.png", cancellationToken: Ct));

        var headers = mock.SingleRequest.RequestMessage!.Headers!;
        Assert.Equal("secret-key", headers["X-API-KEY"].ToString());
        Assert.False(headers.ContainsKey("Authorization"));
        Assert.DoesNotContain("secret-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Di_resolves_a_working_client()
    {
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(Request.Create().WithPath("/api/features")).RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("features.json")));
        var services = new ServiceCollection();
        services.AddComfyUIClient(options => options.BaseAddress = new Uri(server.Url!));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ComfyUIClient>();

        Assert.True((await client.Discovery.GetFeaturesAsync(Ct)).SupportsPreviewMetadata);
    }

    [Fact]
    public async Task Di_binds_from_configuration()
    {
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(Request.Create().WithPath("/comfy/api/users")).RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("users.json")));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ComfyUI:BaseAddress"] = server.Url + "/comfy/",
            ["ComfyUI:ApiKey"] = "k",
            ["ComfyUI:RequestTimeout"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection();
        services.AddComfyUIClient(configuration.GetSection("ComfyUI"));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ComfyUIClient>();
        await client.Users.GetUsersAsync(Ct);

        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<ComfyUIClientOptions>>().Value.RequestTimeout);
        Assert.Equal("Bearer k", Assert.Single(server.LogEntries).RequestMessage!.Headers!["Authorization"].ToString());
    }

    [Fact]
    public async Task Di_validation_names_base_address()
    {
        var services = new ServiceCollection();
        services.AddComfyUIClient(_ => { });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ComfyUIClientOptions>>().Value);
        Assert.Contains("BaseAddress", error.Message, StringComparison.Ordinal);
        var startup = provider.GetRequiredService<IStartupValidator>();
        Assert.Contains("BaseAddress", Assert.Throws<OptionsValidationException>(startup.Validate).Message, StringComparison.Ordinal);
    }
}
