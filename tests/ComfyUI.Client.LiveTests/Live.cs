using ComfyUI.Client.Tests.Faults;

namespace ComfyUI.Client.LiveTests;

/// <summary>The real server under test: <c>COMFYUI_URL</c> (e.g. http://127.0.0.1:8188 from shared/real-comfyui/start.sh).</summary>
internal static class Live
{
    public static Uri? Url => Environment.GetEnvironmentVariable("COMFYUI_URL") is { Length: > 0 } url ? new Uri(url) : null;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>A client for the live server, or skips the test with the reason.</summary>
    public static ComfyUIClient Client(string? clientId = null)
    {
        var url = Url;
        Assert.SkipWhen(url is null, "COMFYUI_URL is not set: start a real ComfyUI (shared/real-comfyui/start.sh) and set COMFYUI_URL to run the live suite.");
        var options = new ComfyUIClientOptions { BaseAddress = url };
        if (clientId is not null)
        {
            options.ClientId = clientId;
        }

        options.Tracking.LostAfter = TimeSpan.FromSeconds(5);
        return new ComfyUIClient(options);
    }

    /// <summary>A seed no earlier run used, so the server executes instead of answering from its cache.</summary>
    public static ulong FreshSeed() => (ulong)Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>
    /// A client for the live server through a fault proxy: short request timeout, quick reconnects and polling, so that a cut connection
    /// is noticed and healed within the test's deadline.
    /// </summary>
    public static ComfyUIClient ThroughProxy(TcpFaultProxy proxy, Action<ComfyUIClientOptions>? configure = null)
    {
        var options = new ComfyUIClientOptions { BaseAddress = proxy.BaseAddress, RequestTimeout = TimeSpan.FromSeconds(5) };
        options.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(50);
        options.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
        options.Tracking.PollInterval = TimeSpan.FromMilliseconds(200);
        configure?.Invoke(options);
        return new ComfyUIClient(options);
    }

    /// <summary>Waits for the run's first step progress (the prompt is executing on the server).</summary>
    public static async Task FirstProgressAsync(PromptRun run)
    {
        await foreach (var e in run.ReadEventsAsync(Ct).WithCancellation(Ct))
        {
            if (e is PromptProgressEvent)
            {
                return;
            }
        }
    }

    /// <summary>Removes the history entries a test made, leaving the server as it was.</summary>
    public static async Task ForgetAsync(ComfyUIClient client, params string[] promptIds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.History.DeleteAsync(promptIds, timeout.Token);
    }
}

/// <summary>
/// Tests that repeat a prompt and expect the server's cache to answer it. ComfyUI keeps the outputs of the prompt it ran last, so a prompt
/// of a test running in parallel between the two runs empties the cache: these run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(ServerCacheCollection), DisableParallelization = true)]
public sealed class ServerCacheCollection;
