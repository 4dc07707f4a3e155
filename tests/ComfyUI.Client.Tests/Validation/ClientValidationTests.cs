using ComfyUI.Client.Testing;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>Validation before submitting (<see cref="ComfyUIClientOptions.ValidatePrompts"/>) and <see cref="ComfyUIClient.ValidateAsync"/>.</summary>
public sealed class ClientValidationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Workflow OutOfRange => Workflow.Parse("""
        {"1": {"class_type": "EmptyImage", "inputs": {"width": -5, "height": 8, "batch_size": 1, "color": 0}},
         "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
        """);

    [Fact]
    public async Task A_prompt_the_server_would_reject_is_not_sent_and_throws_the_servers_rejection()
    {
        using var mock = new MockServer(o => o.ValidatePrompts = true);
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.HttpBytes("object_info.json")));
        mock.Server.Given(Request.Create().WithPath("/api/node_replacements").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("{}"));

        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => mock.Client.SubmitAsync(OutOfRange, cancellationToken: Ct)).WaitAsync(Deadline, Ct);

        Assert.True(ex.ValidatedOffline);
        Assert.Equal("value_smaller_than_min", Assert.Single(ex.NodeErrors["1"].Errors).Type);
        // Nothing posted, no socket opened; the schema read twice: the rejection is confirmed with a fresh schema.
        var paths = mock.Server.LogEntries.Select(e => e.RequestMessage!.Path).ToList();
        Assert.DoesNotContain("/api/prompt", paths);
        Assert.DoesNotContain("/ws", paths);
        Assert.Equal(2, paths.Count(p => p == "/api/object_info"));
    }

    [Fact]
    public async Task ValidateAsync_reads_the_schema_once_and_gives_the_verdict()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.HttpBytes("object_info.json")));
        mock.Server.Given(Request.Create().WithPath("/api/node_replacements").UsingGet()).RespondWith(Response.Create().WithStatusCode(404));

        var invalid = await mock.Client.ValidateAsync(OutOfRange, cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var partial = await mock.Client.ValidateAsync(OutOfRange, new PromptOptions { PartialExecutionTargets = ["1"] }, Ct).WaitAsync(Deadline, Ct);

        Assert.Equal("prompt_outputs_failed_validation", invalid.Error!.Type);
        Assert.Equal("prompt_no_outputs", partial.Error!.Type);
        Assert.Equal(1, mock.Server.LogEntries.Count(e => e.RequestMessage!.Path == "/api/object_info"));
    }

    [Fact]
    public async Task The_clients_of_a_container_share_one_read_of_the_schema()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.HttpBytes("object_info.json")));
        mock.Server.Given(Request.Create().WithPath("/api/node_replacements").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("{}"));
        var services = new ServiceCollection();
        services.AddComfyUIClient(o => o.BaseAddress = new Uri(mock.Server.Url!));
        await using var provider = services.BuildServiceProvider();

        var first = await provider.GetRequiredService<ComfyUIClient>().ValidateAsync(OutOfRange, cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var second = await provider.GetRequiredService<ComfyUIClient>().ValidateAsync(OutOfRange, cancellationToken: Ct).WaitAsync(Deadline, Ct);

        Assert.False(first.IsValid);
        Assert.False(second.IsValid);
        Assert.Equal(1, mock.Server.LogEntries.Count(e => e.RequestMessage!.Path == "/api/object_info"));
    }

    [Fact]
    public async Task A_valid_prompt_runs_and_an_invalid_one_is_stopped_before_the_queue_on_the_fake_server()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = "validating", ValidatePrompts = true };
        await using var client = new ComfyUIClient(options);
        var valid = new WorkflowBuilder()
            .Add("EmptyImage", out var image, n => n.Set("width", 8).Set("height", 8).Set("batch_size", 1).Set("color", 0))
            .Add("PreviewImage", n => n.SetLink("images", image, 0))
            .Build();

        var result = await client.RunAsync(valid, cancellationToken: Ct).WaitAsync(Deadline, Ct);
        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(OutOfRange, cancellationToken: Ct)).WaitAsync(Deadline, Ct);
        var notValidated = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(OutOfRange, new PromptOptions { Validate = false }, Ct)).WaitAsync(Deadline, Ct);

        Assert.Equal(PromptStatus.Succeeded, result.Status);
        Assert.True(ex.ValidatedOffline);
        Assert.False(notValidated.ValidatedOffline); // the server's own rejection
        Assert.Empty(server.PendingPromptIds);
    }
}
