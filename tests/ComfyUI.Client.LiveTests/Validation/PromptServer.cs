using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.LiveTests.Validation;

/// <summary>
/// Sends prompt bodies to a real server as they are (malformed ones too) and returns its answer. Nothing it queues runs: a long
/// <c>SdkTestSlow</c> prompt holds the queue first, and every prompt the server accepts is deleted from the queue at once.
/// </summary>
internal sealed partial class PromptServer : IAsyncDisposable
{
    [System.Text.RegularExpressions.GeneratedRegex("\"prompt_id\": \"([0-9a-f-]+)\"")]
    private static partial System.Text.RegularExpressions.Regex PromptId();

    private readonly HttpClient _http;
    private string? _blocker;

    private PromptServer(Uri url) => _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

    public Uri Url => _http.BaseAddress!;

    public static async Task<PromptServer> StartAsync(Uri url, CancellationToken cancellationToken)
    {
        var server = new PromptServer(url);
        await server.HoldQueueAsync(cancellationToken);
        return server;
    }

    /// <summary>POSTs the body; returns the status and the body text.</summary>
    public async Task<(int Status, string Body)> PostAsync(string body, CancellationToken cancellationToken)
    {
        var (status, text) = await PostPromptAsync(body, cancellationToken);
        // The answer may hold NaN (a received value), which JSON readers refuse: take the id by pattern.
        if (status == 200 && PromptId().Match(text) is { Success: true } match && match.Groups[1].Value is var promptId)
        {
            await PostJsonAsync("queue", new JsonObject { ["delete"] = new JsonArray(promptId) }, cancellationToken);
            if (_blocker is null)
            {
                await PostJsonAsync("interrupt", new JsonObject { ["prompt_id"] = promptId }, cancellationToken);
            }
        }

        return (status, text);
    }

    private async Task<(int Status, string Body)> PostPromptAsync(string body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("prompt", content, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private async Task HoldQueueAsync(CancellationToken cancellationToken)
    {
        var info = await _http.GetStringAsync("object_info/SdkTestSlow", cancellationToken);
        if (!info.Contains("SdkTestSlow", StringComparison.Ordinal))
        {
            return; // no test nodes: accepted prompts are deleted and interrupted instead
        }

        var prompt = new JsonObject
        {
            ["1"] = new JsonObject
            {
                ["class_type"] = "SdkTestSlow",
                ["inputs"] = new JsonObject { ["seconds"] = 3600.0, ["poll_seconds"] = 0.05, ["report_progress"] = false, ["seed"] = Random.Shared.NextInt64(1, long.MaxValue) },
            },
        };
        var (status, body) = await PostPromptAsync(new JsonObject { ["prompt"] = prompt }.ToJsonString(), cancellationToken);
        Assert.Equal(200, status);
        _blocker = JsonNode.Parse(body)!["prompt_id"]!.GetValue<string>();

        // Wait (bounded) until it runs, so that everything after it stays pending.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var queue = await _http.GetStringAsync("queue", deadline.Token);
            if (queue.Contains(_blocker, StringComparison.Ordinal) && JsonNode.Parse(queue)!["queue_running"]!.AsArray().Any(item => item![1]!.GetValue<string>() == _blocker))
            {
                return;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private async Task PostJsonAsync(string route, JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(route, content, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_blocker is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await PostJsonAsync("interrupt", new JsonObject { ["prompt_id"] = _blocker }, timeout.Token);
            while (!timeout.IsCancellationRequested)
            {
                var history = await _http.GetStringAsync($"history/{_blocker}", timeout.Token);
                if (JsonDocument.Parse(history).RootElement.TryGetProperty(_blocker, out _))
                {
                    break;
                }

                await Task.Delay(50, timeout.Token);
            }

            await PostJsonAsync("history", new JsonObject { ["delete"] = new JsonArray(_blocker) }, timeout.Token);
        }

        _http.Dispose();
    }
}
