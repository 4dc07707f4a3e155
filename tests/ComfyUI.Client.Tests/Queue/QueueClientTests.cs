using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Queue;

public sealed class QueueClientTests
{
    private static JsonObject SimplePrompt() => JsonNode.Parse("""
        {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
         "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}
        """)!.AsObject();

    [Fact]
    public async Task QueuePrompt_sends_client_and_prompt_id_and_reads_the_real_answer()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("post_prompt_ok.json")));

        var response = await mock.Client.Queue.QueuePromptAsync(new QueuePromptRequest { Prompt = SimplePrompt() }, TestContext.Current.CancellationToken);

        Assert.Equal(JsonDocument.Parse(Fixture.Http("post_prompt_ok.json")).RootElement.GetProperty("prompt_id").GetString(), response.PromptId);
        var body = JsonNode.Parse(mock.SingleRequest.RequestMessage!.Body!)!.AsObject();
        Assert.Equal("test-client", body["client_id"]!.GetValue<string>());
        var sentId = body["prompt_id"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", sentId);
        Assert.Equal("EmptyImage", body["prompt"]!["1"]!["class_type"]!.GetValue<string>());
        Assert.False(body.ContainsKey("number"));
    }

    [Fact]
    public async Task QueuePrompt_rejected_prompt_throws_validation_exception_with_node_errors()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("prompt_error_invalid_inputs.json")));

        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() =>
            mock.Client.Queue.QueuePromptAsync(new QueuePromptRequest { Prompt = SimplePrompt() }, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("prompt_outputs_failed_validation", ex.ErrorType);
        Assert.NotEmpty(ex.NodeErrors);
        Assert.Equal("/api/prompt", ex.Route);
        Assert.Contains("prompt_outputs_failed_validation", ex.Message);
    }
}
