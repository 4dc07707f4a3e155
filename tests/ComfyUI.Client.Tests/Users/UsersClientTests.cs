using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Users;

public sealed class UsersClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Respond(MockServer mock, IRequestBuilder request, string body, int status = 200) =>
        mock.Server.Given(request).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body));

    [Fact]
    public async Task Users_single_user_shape_from_the_real_server()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/users").UsingGet(), Fixture.Http("users.json"));

        var users = await mock.Client.Users.GetUsersAsync(Ct);

        Assert.False(users.Migrated);
        Assert.Equal("server", users.Storage);
        Assert.False(users.IsMultiUser);
        Assert.Null(users.Users);
    }

    [Fact]
    public async Task Users_multi_user_shape()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/users").UsingGet(), """{"storage": "server", "users": {"alice_1": "Alice"}}""");

        var users = await mock.Client.Users.GetUsersAsync(Ct);

        Assert.True(users.IsMultiUser);
        Assert.Equal("Alice", users.Users!["alice_1"]);
        Assert.Null(users.Migrated);
    }

    [Fact]
    public async Task Create_user_posts_username_and_reads_the_id_string()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/users").UsingPost(), "\"Alice_5b0c\"");

        Assert.Equal("Alice_5b0c", await mock.Client.Users.CreateUserAsync("Alice", Ct));
        Assert.Equal("{\"username\":\"Alice\"}", JsonNode.Parse(mock.SingleRequest.RequestMessage!.Body!)!.ToJsonString());
    }

    [Fact]
    public async Task Duplicate_user_is_a_shape_B_error()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/users").UsingPost(), """{"error": "Duplicate username."}""", 400);

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Users.CreateUserAsync("Alice", Ct));

        Assert.Equal("Duplicate username.", error.Error!.Message);
    }

    [Fact]
    public async Task Settings_get_all_one_and_null()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/settings").UsingGet(), """{"Comfy.Locale": "en", "Comfy.X": 3}""");
        Respond(mock, Request.Create().WithPath("/api/settings/Comfy.Locale").UsingGet(), "\"en\"");
        Respond(mock, Request.Create().WithPath("/api/settings/Comfy.Foo").UsingGet(), "null");

        Assert.Equal(3, (await mock.Client.Users.GetSettingsAsync(Ct))["Comfy.X"].GetInt32());
        Assert.Equal("en", (await mock.Client.Users.GetSettingAsync("Comfy.Locale", Ct))!.Value.GetString());
        Assert.Null(await mock.Client.Users.GetSettingAsync("Comfy.Foo", Ct));
    }

    [Fact]
    public async Task Settings_post_all_and_one()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/settings").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        mock.Server.Given(Request.Create().WithPath("/api/settings/Comfy.A b").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        using var value = JsonDocument.Parse("[1, 2]");

        await mock.Client.Users.SaveSettingsAsync(new Dictionary<string, JsonElement> { ["Comfy.Locale"] = JsonDocument.Parse("\"fr\"").RootElement }, Ct);
        await mock.Client.Users.SaveSettingAsync("Comfy.A b", value.RootElement, Ct);

        var bodies = mock.Server.LogEntries.Select(entry => entry.RequestMessage!.Body).ToArray();
        Assert.Equal(["{\"Comfy.Locale\":\"fr\"}", "[1,2]"], bodies);
        Assert.Equal(HttpStatusCode.OK, (HttpStatusCode)mock.Server.LogEntries[1].ResponseMessage!.StatusCode!);
    }

    [Fact]
    public async Task Unknown_user_settings_is_401()
    {
        using var mock = new MockServer(options => options.User = "nobody");
        Respond(mock, Request.Create().WithPath("/api/settings").UsingGet(), "", 401);

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Users.GetSettingsAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("nobody", mock.SingleRequest.RequestMessage!.Headers!["Comfy-User"].ToString());
    }
}
