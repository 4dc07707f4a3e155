using System.Text.Json.Serialization;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>Memory management: <c>POST /free</c>. Get it from <see cref="ComfyUIClient.Memory"/>.</summary>
public class MemoryClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected MemoryClient()
    {
    }

    internal MemoryClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>
    /// Asks the server to unload models and/or free memory (<c>POST /free</c>). The server does it between prompts and gives no completion signal.
    /// </summary>
    /// <param name="unloadModels">Unload the loaded models.</param>
    /// <param name="freeMemory">Free memory (also unloads models and resets the node cache).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server accepted the request.</returns>
    public virtual Task FreeAsync(bool unloadModels = true, bool freeMemory = true, CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Post, "free");
        call.Content = RequestContent.Json(new FreeBody { UnloadModels = unloadModels, FreeMemory = freeMemory }, ComfyJsonContext.Default.FreeBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }
}

/// <summary>The body of <c>POST /free</c>.</summary>
internal sealed class FreeBody
{
    [JsonPropertyName("unload_models")]
    public bool UnloadModels { get; init; }

    [JsonPropertyName("free_memory")]
    public bool FreeMemory { get; init; }
}
