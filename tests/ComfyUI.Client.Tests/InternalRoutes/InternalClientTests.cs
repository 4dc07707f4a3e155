using System.Net;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

#pragma warning disable COMFYUI001

namespace ComfyUI.Client.Tests.InternalRoutes;

public sealed class InternalClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Respond(MockServer mock, IRequestBuilder request, string body, int status = 200) =>
        mock.Server.Given(request).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body));

    [Fact]
    public async Task Logs_text_and_raw_without_api_prefix()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/internal/logs").UsingGet(), "\"2026-01-01 - hello\\n\"");
        Respond(mock, Request.Create().WithPath("/internal/logs/raw").UsingGet(), """{"entries": [{"t": "2026-08-22T09:17:36.123456", "m": "text"}], "size": {"cols": 80, "rows": 24}}""");

        Assert.Equal("2026-01-01 - hello\n", await mock.Client.Internal.GetLogsAsync(Ct));
        var raw = await mock.Client.Internal.GetRawLogsAsync(Ct);
        Assert.Equal("text", Assert.Single(raw.Entries).Message);
        Assert.Equal(80, raw.Size!.Cols);
    }

    [Fact]
    public async Task Subscribe_patches_client_id_and_enabled()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/internal/logs/subscribe").UsingPatch()).RespondWith(Response.Create().WithStatusCode(200));

        await mock.Client.Internal.SubscribeLogsAsync(true, cancellationToken: Ct);

        Assert.Equal("{\"clientId\":\"test-client\",\"enabled\":true}", JsonNode.Parse(mock.SingleRequest.RequestMessage!.Body!)!.ToJsonString());
    }

    [Fact]
    public async Task Folder_paths_real_and_files_of_a_type()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/internal/folder_paths").UsingGet(), Fixture.Http("internal_folder_paths.json"));
        Respond(mock, Request.Create().WithPath("/internal/files/output").UsingGet(), """["_output_images_will_be_put_here [output]"]""");
        Respond(mock, Request.Create().WithPath("/internal/files/bogus").UsingGet(), """{"error": "Invalid directory type"}""", 400);

        Assert.Contains("/srv/comfyui/models/checkpoints", (await mock.Client.Internal.GetFolderPathsAsync(Ct))["checkpoints"]);
        Assert.Equal(["_output_images_will_be_put_here [output]"], await mock.Client.Internal.GetFilesAsync("output", Ct));
        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Internal.GetFilesAsync("bogus", Ct));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("Invalid directory type", error.Error!.Message);
    }
}
