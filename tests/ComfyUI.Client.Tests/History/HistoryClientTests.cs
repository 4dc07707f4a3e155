using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.History;

public sealed class HistoryClientTests
{
    private static void Serve(MockServer mock, string path, string fixture) =>
        mock.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture.Http(fixture)));

    [Fact]
    public async Task Get_reads_the_real_entry_with_outputs_status_and_prompt_tuple()
    {
        using var mock = new MockServer();
        var id = JsonNode.Parse(Fixture.Http("history_entry_sdk_progress.json"))!.AsObject().First().Key;
        Serve(mock, "/api/history/" + id, "history_entry_sdk_progress.json");

        var entry = await mock.Client.History.GetAsync(id, TestContext.Current.CancellationToken);

        Assert.NotNull(entry);
        Assert.Equal(id, entry.PromptId);
        Assert.True(entry.IsSuccess);
        Assert.Equal("SdkTestProgressImage", entry.Prompt.Prompt.GetProperty("1").GetProperty("class_type").GetString());
        Assert.Equal("test", entry.Prompt.ClientId);
        var image = Assert.Single(entry.Images);
        Assert.Equal("sdk_test", image.Subfolder);
        Assert.Equal("output", image.Type);
        Assert.Contains(entry.Outputs.Values, output => output.Text.Count > 0);
        Assert.NotNull(entry.Status!.FindMessage("execution_success"));
    }

    [Fact]
    public async Task Get_of_an_unknown_id_is_null()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/history/does-not-exist", "history_empty.json");

        Assert.Null(await mock.Client.History.GetAsync("does-not-exist", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Interrupted_entry_records_the_interrupt_message()
    {
        using var mock = new MockServer();
        var id = JsonNode.Parse(Fixture.Http("history_entry_interrupted.json"))!.AsObject().First().Key;
        Serve(mock, "/api/history/" + id, "history_entry_interrupted.json");

        var entry = await mock.Client.History.GetAsync(id, TestContext.Current.CancellationToken);

        Assert.False(entry!.IsSuccess);
        Assert.Equal("error", entry.Status!.StatusStr);
        Assert.Equal("SdkTestSlow", entry.Status.FindMessage("execution_interrupted")!.Value.GetProperty("node_type").GetString());
    }

    [Fact]
    public async Task List_sends_max_items_and_offset_and_keeps_server_order()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/history", "history_all.json");

        var entries = await mock.Client.History.ListAsync(maxItems: 5, offset: 2, TestContext.Current.CancellationToken);

        var request = mock.SingleRequest.RequestMessage!;
        Assert.Equal("5", request.Query!["max_items"].ToString());
        Assert.Equal("2", request.Query!["offset"].ToString());
        var expected = JsonNode.Parse(Fixture.Http("history_all.json"))!.AsObject().Select(pair => pair.Key).ToArray();
        Assert.Equal(expected, entries.Select(entry => entry.PromptId).ToArray());
    }

    [Fact]
    public async Task Delete_and_clear_post_the_server_body()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/history").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        await mock.Client.History.DeleteAsync(["a", "b"], TestContext.Current.CancellationToken);
        await mock.Client.History.ClearAsync(TestContext.Current.CancellationToken);

        var bodies = mock.Server.LogEntries.Select(entry => JsonNode.Parse(entry.RequestMessage!.Body!)!.ToJsonString()).ToArray();
        Assert.Equal(["{\"delete\":[\"a\",\"b\"]}", "{\"clear\":true}"], bodies);
    }
}
