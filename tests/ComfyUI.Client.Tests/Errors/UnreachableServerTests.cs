using System.Net;
using System.Net.Sockets;
using ComfyUI.Client.Tests.Runs;

namespace ComfyUI.Client.Tests.Errors;

/// <summary>One rule for a server that cannot be reached: every call throws <see cref="ComfyUIConnectionException"/>; a prompt whose fate is open says so.</summary>
public sealed class UnreachableServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Workflow SaveWorkflow() => Workflow.Parse("""{"2": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x"}}}""");

    private static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    public static TheoryData<string> Calls => new(["status", "queue", "history", "object_info", "free", "submit", "run"]);

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Every_call_to_a_server_that_cannot_be_reached_throws_the_connection_exception(string call)
    {
        await using var client = new ComfyUIClient(ClosedPort());

        var ex = await Assert.ThrowsAsync<ComfyUIConnectionException>(() => call switch
        {
            "status" => client.Queue.GetStatusAsync(Ct),
            "queue" => client.Queue.GetQueueAsync(Ct),
            "history" => client.History.GetAsync("p", Ct),
            "object_info" => client.Discovery.GetObjectInfoAsync(Ct),
            "free" => client.Memory.FreeAsync(cancellationToken: Ct),
            "submit" => client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct),
            _ => client.RunAsync(SaveWorkflow(), cancellationToken: Ct),
        });

        Assert.IsNotType<ComfyUIPromptFateUnknownException>(ex);
        Assert.True(ex.RequestNeverSent);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("could not be reached", ex.Message);
        Assert.Contains(client.BaseAddress.ToString(), ex.Message);
    }

    [Fact]
    public async Task A_submission_whose_answer_was_lost_and_that_cannot_be_checked_says_its_fate_is_unknown()
    {
        await using var server = await ScriptedComfyServer.StartAsync();
        server.OnPrompt = (body, http) =>
        {
            server.Pending[body["prompt_id"]!.GetValue<string>()] = true;
            return Task.FromResult((0, "")); // queued, then the connection dropped before the answer
        };
        server.DropHistoryReads = true; // and the server cannot be asked whether it has the prompt
        await using var client = server.CreateClient();

        var ex = await Assert.ThrowsAsync<ComfyUIPromptFateUnknownException>(() => client.SubmitAsync(SaveWorkflow(), cancellationToken: Ct));

        var posted = Assert.Single(server.Posts, p => p.StartsWith("prompt", StringComparison.Ordinal));
        Assert.Contains(ex.PromptId, posted);
        Assert.Contains(ex.PromptId, ex.Message);
        Assert.False(ex.RequestNeverSent);
        Assert.IsType<ComfyUIConnectionException>(ex, exactMatch: false);
        Assert.Equal(0, client.RunHub.ActiveRuns);
    }

    [Fact]
    public async Task A_submission_that_could_not_connect_says_nothing_was_queued_and_sends_nothing_twice()
    {
        await using var client = new ComfyUIClient(ClosedPort());

        var ex = await Assert.ThrowsAsync<ComfyUIConnectionException>(() => client.RunAsync(SaveWorkflow(), cancellationToken: Ct));

        Assert.Equal("POST", ex.Method);
        Assert.Equal("/api/prompt", ex.Route);
        Assert.True(ex.RequestNeverSent);
    }
}
