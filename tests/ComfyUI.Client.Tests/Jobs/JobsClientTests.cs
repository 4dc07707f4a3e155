using System.Net;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Jobs;

public sealed class JobsClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Json(MockServer mock, string path, string body, int status = 200, bool post = false) =>
        mock.Server.Given(post ? Request.Create().WithPath(path).UsingPost() : Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

    [Fact]
    public async Task List_sends_every_filter_and_reads_the_real_page()
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs", Fixture.Http("jobs_completed_limit_2.json"));

        var page = await mock.Client.Jobs.ListAsync(new JobsQuery
        {
            Statuses = [JobStatus.Completed, JobStatus.InProgress],
            WorkflowId = "wf 1",
            SortBy = JobSortBy.ExecutionDuration,
            Ascending = true,
            Limit = 2,
            Offset = 3,
        }, Ct);

        var request = mock.SingleRequest.RequestMessage!;
        Assert.Equal("/api/jobs", request.Path);
        Assert.Equal("completed,in_progress", request.Query!["status"].ToString());
        Assert.Equal("wf 1", request.Query!["workflow_id"].ToString());
        Assert.Equal("execution_duration", request.Query!["sort_by"].ToString());
        Assert.Equal("asc", request.Query!["sort_order"].ToString());
        Assert.Equal("2", request.Query!["limit"].ToString());
        Assert.Equal("3", request.Query!["offset"].ToString());
        Assert.Equal(2, page.Jobs.Count);
        Assert.Equal(6, page.Pagination.Total);
        Assert.True(page.Pagination.HasMore);
        Assert.Equal(2, page.Pagination.Limit);
        var job = page.Jobs[0];
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795888121574), job.CreateTime);
        Assert.Equal("2", job.PreviewOutput!.NodeId);
        Assert.Equal("images", job.PreviewOutput.MediaType);
        Assert.Equal("progress_00002_.png", job.PreviewOutput.ToOutputFile()!.Filename);
    }

    [Theory]
    [InlineData("jobs_all.json")]
    [InlineData("jobs_empty.json")]
    [InlineData("jobs_running_and_pending.json")]
    public async Task Real_listings_parse(string fixture)
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs", Fixture.Http(fixture));

        var page = await mock.Client.Jobs.ListAsync(cancellationToken: Ct);

        var expected = JsonNode.Parse(Fixture.Http(fixture))!["jobs"]!.AsArray().Count;
        Assert.Equal(expected, page.Jobs.Count);
        Assert.All(page.Jobs, job => Assert.NotEqual(JobStatus.Unknown, job.Status));
    }

    [Theory]
    [InlineData("job_empty_image.json")]
    [InlineData("job_execution_error.json")]
    [InlineData("job_cancelled.json")]
    public async Task Get_reads_real_single_jobs(string fixture)
    {
        using var mock = new MockServer();
        var id = JsonNode.Parse(Fixture.Http(fixture))!["id"]!.GetValue<string>();
        Json(mock, "/api/jobs/" + id, Fixture.Http(fixture));

        var job = await mock.Client.Jobs.GetAsync(id, Ct);

        Assert.NotNull(job);
        Assert.Equal(id, job.Id);
        Assert.NotNull(job.ExecutionStatus);
        Assert.NotNull(job.Workflow);
    }

    [Fact]
    public async Task Get_of_an_unknown_job_is_null()
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs/nope", "{\"error\": \"Job not found\"}", 404);

        Assert.Null(await mock.Client.Jobs.GetAsync("nope", Ct));
    }

    [Fact]
    public async Task Cancel_posts_to_the_job_route()
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs/abc/cancel", Fixture.Http("jobs_cancel_running.json"), post: true);

        Assert.True(await mock.Client.Jobs.CancelAsync("abc", Ct));
        Assert.Equal("POST", mock.SingleRequest.RequestMessage!.Method);
    }

    [Fact]
    public async Task Cancel_many_posts_job_ids_and_maps_invalid_ids()
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs/cancel", "{\"error\": \"job_ids contains invalid id(s)\", \"invalid_ids\": [\"x\"]}", 400, post: true);

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Jobs.CancelManyAsync(["x"], Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(["x"], error.Error!.InvalidIds);
        Assert.Equal("{\"job_ids\":[\"x\"]}", JsonNode.Parse(mock.SingleRequest.RequestMessage!.Body!)!.ToJsonString());
    }

    [Fact]
    public async Task Cancel_many_reads_cancelled()
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs/cancel", "{\"cancelled\": false}", post: true);

        Assert.False(await mock.Client.Jobs.CancelManyAsync(["0c5d9c0e-8a57-4d6c-9a0b-5f1d2d6f7a11"], Ct));
    }

    [Fact]
    public async Task Is_supported_is_false_on_404_and_cached()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/jobs").UsingGet()).RespondWith(Response.Create().WithStatusCode(404).WithBody("404: Not Found"));

        Assert.False(await mock.Client.Jobs.IsSupportedAsync(Ct));
        Assert.False(await mock.Client.Jobs.IsSupportedAsync(Ct));
        Assert.Equal("1", mock.SingleRequest.RequestMessage!.Query!["limit"].ToString());
    }

    [Fact]
    public async Task Is_supported_is_true_when_jobs_answer()
    {
        using var mock = new MockServer();
        Json(mock, "/api/jobs", Fixture.Http("jobs_empty.json"));

        Assert.True(await mock.Client.Jobs.IsSupportedAsync(Ct));
    }
}
