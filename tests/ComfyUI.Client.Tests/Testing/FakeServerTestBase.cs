using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>Shared helpers for the fake server tests: raw HTTP and WebSocket, deadlines everywhere.</summary>
public abstract class FakeServerTestBase : IAsyncLifetime
{
    internal static readonly TimeSpan Deadline = WsRecorder.Deadline;

    internal FakeComfyUIServer Server { get; private set; } = null!;

    internal HttpClient Http { get; private set; } = null!;

    internal static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct).WaitAsync(Deadline, Ct);
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = Deadline };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync().AsTask().WaitAsync(Deadline);
        GC.SuppressFinalize(this);
    }

    internal async Task<WsRecorder> ConnectAsync(string? clientId = "test", bool flags = false)
    {
        var ws = await WsRecorder.ConnectAsync(Server.BaseAddress, clientId, Ct);
        var status = await ws.NextAsync(Ct);
        Assert.Equal("status", status.Type);
        if (flags)
        {
            await ws.SendTextAsync("""{"type":"feature_flags","data":{"supports_preview_metadata":true}}""", Ct);
            var reply = await ws.NextAsync(Ct);
            Assert.Equal("feature_flags", reply.Type);
        }

        return ws;
    }

    internal async Task<(int Status, JsonNode? Body, string Text)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path, content, Ct).WaitAsync(Deadline, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        JsonNode? body = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            body = JsonNode.Parse(text);
        }

        return ((int)response.StatusCode, body, text);
    }

    internal async Task<(int Status, JsonNode? Body)> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path, Ct).WaitAsync(Deadline, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(text) : null);
    }

    internal async Task<string> QueuePromptAsync(JsonObject prompt, string? clientId = "test")
    {
        var body = new JsonObject { ["prompt"] = prompt.DeepClone() };
        if (clientId is not null)
        {
            body["client_id"] = clientId;
        }

        var (status, json, text) = await PostJsonAsync("/prompt", body.ToJsonString());
        Assert.True(status == 200, text);
        return json!["prompt_id"]!.GetValue<string>();
    }

    internal async Task<JsonObject> UploadAsync(byte[] bytes, string fileName, string? subfolder = null, bool overwrite = false)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", fileName);
        form.Add(new StringContent("input"), "type");
        if (subfolder is not null)
        {
            form.Add(new StringContent(subfolder), "subfolder");
        }

        if (overwrite)
        {
            form.Add(new StringContent("true"), "overwrite");
        }

        using var response = await Http.PostAsync("/upload/image", form, Ct).WaitAsync(Deadline, Ct);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
    }
}
