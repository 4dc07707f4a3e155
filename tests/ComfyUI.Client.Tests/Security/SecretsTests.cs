using ComfyUI.Client.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Security;

/// <summary>API keys and auth headers never appear in logs, exception messages or ToString().</summary>
public sealed class SecretsTests
{
    private const string Key = "sk-live-SECRET-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_run_and_failing_calls_never_log_or_print_the_api_key()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ApiKey = Key };
        options.DefaultHeaders["X-Api-Token"] = Key;
        await using var client = new ComfyUIClient(options, factory.CreateLogger<ComfyUIClient>());
        var texts = new List<string>();

        var result = await client.RunAsync(new WorkflowBuilder().Add("SdkTestTextOutput", n => n.Set("text", "t").Set("seed", 1)).Build(), cancellationToken: Ct);
        texts.Add(result.ToString()!);
        foreach (var failing in new Func<Task>[]
        {
            () => client.RunAsync(new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build(), cancellationToken: Ct),
            () => client.RunAsync(new WorkflowBuilder().Add("SdkTestRaiseError", n => n.Set("message", "m").Set("exception_type", "ValueError").Set("seed", 2)).Build(), cancellationToken: Ct),
            () => client.Files.DownloadAsync(new OutputFile { Filename = "absent.png" }, Stream.Null, Ct),
        })
        {
            var ex = await Assert.ThrowsAnyAsync<ComfyUIException>(failing);
            texts.Add(ex.ToString());
        }

        texts.Add(options.ToString()!);
        texts.Add(client.ToString()!);
        Assert.NotEmpty(logs.GetSnapshot());
        texts.AddRange(logs.GetSnapshot().Select(r => r.Message + " " + string.Join(",", r.StructuredState?.Select(p => p.Value) ?? [])));
        Assert.All(texts, text => Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_key_goes_on_the_wire_in_the_auth_header_only()
    {
        using var mock = new MockServer(o => o.ApiKey = Key);
        mock.Server.Given(Request.Create().WithPath("/api/prompt").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithBody("unauthorized"));

        var ex = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Queue.GetStatusAsync(Ct));

        Assert.Equal("Bearer " + Key, mock.SingleRequest.RequestMessage!.Headers!["Authorization"].ToString());
        Assert.DoesNotContain("SECRET", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", mock.SingleRequest.RequestMessage.Url, StringComparison.Ordinal);
    }
}
