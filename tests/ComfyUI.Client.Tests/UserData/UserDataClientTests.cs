using System.Net;
using System.Text;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.UserData;

public sealed class UserDataClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Respond(MockServer mock, IRequestBuilder request, string body, int status = 200, string contentType = "application/json; charset=utf-8") =>
        mock.Server.Given(request).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));

    /// <summary>The request path as sent on the wire (WireMock's <c>Path</c> is decoded; its <c>Url</c> keeps %2F).</summary>
    private static string RawPath(MockServer mock)
    {
        var url = mock.SingleRequest.RequestMessage!.Url;
        var path = url[url.IndexOf('/', url.IndexOf("//", StringComparison.Ordinal) + 2)..];
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? path : path[..query];
    }

    private static IRequestBuilder Any(string method) => Request.Create().WithPath(new WildcardMatcher("/api/*")).UsingMethod(method);

    [Fact]
    public async Task List_sends_dir_and_flags_and_reads_the_real_listing()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/userdata").UsingGet(), Fixture.Http("userdata_workflows.json"));

        var files = await mock.Client.UserData.ListAsync("workflows", new UserDataListOptions { Recurse = true }, Ct);

        Assert.Equal(["sdk_test.json", "sdk_test2.json"], files);
        var query = mock.SingleRequest.RequestMessage!.Query!;
        Assert.Equal("workflows", query["dir"].ToString());
        Assert.Equal("true", query["recurse"].ToString());
        Assert.Equal("false", query["full_info"].ToString());
        Assert.Equal("false", query["split"].ToString());
    }

    [Fact]
    public async Task List_of_a_missing_directory_is_empty()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/userdata").UsingGet(), Fixture.Http("userdata_workflows_before.txt"), 404, "text/plain; charset=utf-8");

        Assert.Empty(await mock.Client.UserData.ListAsync("workflows", cancellationToken: Ct));
        Assert.Empty(await mock.Client.UserData.ListWithInfoAsync("workflows", cancellationToken: Ct));
    }

    [Fact]
    public async Task List_with_info_reads_milliseconds_and_old_float_seconds()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/userdata").UsingGet(), Fixture.Http("userdata_workflows_full_info.json"));

        var files = await mock.Client.UserData.ListWithInfoAsync("workflows", new UserDataListOptions { Recurse = true }, Ct);

        Assert.Equal("true", mock.SingleRequest.RequestMessage!.Query!["full_info"].ToString());
        Assert.Equal(90, files[0].Size);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795888118468), files[0].Modified);

        mock.Server.Reset();
        Respond(mock, Request.Create().WithPath("/api/userdata").UsingGet(), """[{"path": "a.json", "size": 1, "modified": 1755851234.5}]""");
        var old = Assert.Single(await mock.Client.UserData.ListWithInfoAsync("workflows", cancellationToken: Ct));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1755851234500), old.Modified);
        Assert.Null(old.Created);
    }

    [Fact]
    public async Task List_split_reads_parts()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/userdata").UsingGet(), """[["sub/a.json", "sub", "a.json"], ["b.json", "b.json"]]""");

        var files = await mock.Client.UserData.ListSplitAsync("workflows", cancellationToken: Ct);

        Assert.Equal("true", mock.SingleRequest.RequestMessage!.Query!["split"].ToString());
        Assert.Equal("sub/a.json", files[0].Path);
        Assert.Equal(["sub", "a.json"], files[0].Parts);
    }

#pragma warning disable COMFYUI001
    [Fact]
    public async Task V2_listing_reads_the_real_entries()
    {
        using var mock = new MockServer();
        Respond(mock, Request.Create().WithPath("/api/v2/userdata").UsingGet(), Fixture.Http("userdata_v2_workflows.json"));

        var entries = await mock.Client.UserData.ListEntriesAsync("workflows", Ct);

        Assert.Equal("workflows", mock.SingleRequest.RequestMessage!.Query!["path"].ToString());
        Assert.Equal(2, entries.Count);
        Assert.False(entries[0].IsDirectory);
        Assert.Equal("workflows/sdk_test.json", entries[0].Path);
        Assert.Equal(1795888118468, entries[0].Modified!.Value.ToUnixTimeMilliseconds());
    }
#pragma warning restore COMFYUI001

    [Fact]
    public async Task Get_sends_the_name_as_one_segment_and_streams_the_file()
    {
        using var mock = new MockServer();
        Respond(mock, Any("GET"), Fixture.Http("userdata_get_workflow.json"), contentType: "application/json");

        await using var stream = await mock.Client.UserData.OpenAsync("workflows/sdk test#1%.json", Ct);

        using var reader = new StreamReader(stream!);
        Assert.Equal(Fixture.Http("userdata_get_workflow.json"), await reader.ReadToEndAsync(Ct));
        var request = mock.SingleRequest.RequestMessage!;
        Assert.StartsWith("/api/userdata/workflows%2Fsdk", RawPath(mock), StringComparison.Ordinal);
        Assert.Equal("/api/userdata/workflows/sdk test#1%.json", request.Path);
    }

    [Fact]
    public async Task Dot_dot_stays_inside_one_segment()
    {
        using var mock = new MockServer();
        Respond(mock, Any("GET"), "", 403, "text/plain");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.UserData.OpenAsync("../../secret.json", Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("/api/userdata/..%2F..%2Fsecret.json", RawPath(mock));
    }

    [Fact]
    public async Task Get_of_a_missing_file_is_null()
    {
        using var mock = new MockServer();
        Respond(mock, Any("GET"), "", 404, "text/plain");

        Assert.Null(await mock.Client.UserData.OpenAsync("workflows/does_not_exist.json", Ct));
    }

    [Fact]
    public async Task Save_streams_the_body_with_overwrite_and_reads_the_real_file_info()
    {
        using var mock = new MockServer();
        Respond(mock, Any("POST"), Fixture.Http("userdata_post_workflow_full_info.json"));
        var content = Encoding.UTF8.GetBytes("{\"nodes\": []}");

        var info = await mock.Client.UserData.SaveAsync("workflows/sdk_test2.json", new MemoryStream(content), new UserDataSaveOptions { Overwrite = false }, Ct);

        Assert.Equal("workflows/sdk_test2.json", info.Path);
        Assert.Equal(90, info.Size);
        var request = mock.SingleRequest.RequestMessage!;
        Assert.Equal("/api/userdata/workflows%2Fsdk_test2.json", RawPath(mock));
        Assert.Equal("false", request.Query!["overwrite"].ToString());
        Assert.Equal("true", request.Query!["full_info"].ToString());
        Assert.Equal(content, request.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body!));
    }

    [Fact]
    public async Task Save_overwrites_by_default_as_the_server_does()
    {
        using var mock = new MockServer();
        Respond(mock, Any("POST"), Fixture.Http("userdata_post_workflow_full_info.json"));

        await mock.Client.UserData.SaveAsync("workflows/sdk_test2.json", new MemoryStream([1]), cancellationToken: Ct);

        Assert.Equal("true", mock.SingleRequest.RequestMessage!.Query!["overwrite"].ToString());
    }

    [Fact]
    public async Task Save_conflict_throws_with_the_server_text()
    {
        using var mock = new MockServer();
        Respond(mock, Any("POST"), Fixture.Http("userdata_post_workflow_no_overwrite.txt"), 409, "text/plain; charset=utf-8");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.UserData.SaveAsync("workflows/sdk_test.json", new MemoryStream([1]), new UserDataSaveOptions { Overwrite = false }, Ct));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("File already exists", error.ResponseBody);
        Assert.Contains("File already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_is_true_on_204_and_false_on_404()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/userdata/workflows/a.json").UsingDelete()).RespondWith(Response.Create().WithStatusCode(204));
        mock.Server.Given(Request.Create().WithPath("/api/userdata/workflows/b.json").UsingDelete()).RespondWith(Response.Create().WithStatusCode(404));

        Assert.True(await mock.Client.UserData.DeleteAsync("workflows/a.json", Ct));
        Assert.False(await mock.Client.UserData.DeleteAsync("workflows/b.json", Ct));
    }

    [Fact]
    public async Task Move_sends_both_names_as_segments_and_does_not_overwrite_by_default()
    {
        using var mock = new MockServer();
        Respond(mock, Any("POST"), """{"path": "workflows/sdk_test_moved.json", "size": 90, "modified": 1795888118470}""");

        var info = await mock.Client.UserData.MoveAsync("workflows/sdk_test2.json", "workflows/sdk_test_moved.json", cancellationToken: Ct);

        Assert.Equal("workflows/sdk_test_moved.json", info.Path);
        Assert.Equal(90, info.Size);
        var request = mock.SingleRequest.RequestMessage!;
        Assert.Equal("/api/userdata/workflows%2Fsdk_test2.json/move/workflows%2Fsdk_test_moved.json", RawPath(mock));
        Assert.Equal("false", request.Query!["overwrite"].ToString());
        Assert.Equal("true", request.Query!["full_info"].ToString());
    }

    [Fact]
    public async Task Move_with_overwrite_and_missing_source()
    {
        using var mock = new MockServer();
        Respond(mock, Any("POST"), "", 404, "text/plain");

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.UserData.MoveAsync("a.json", "b.json", new UserDataMoveOptions { Overwrite = true }, Ct));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("true", mock.SingleRequest.RequestMessage!.Query!["overwrite"].ToString());
    }
}
