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
    /// <param name="options">What to free; <see langword="null"/> unloads the models and frees memory.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server accepted the request.</returns>
    public virtual Task FreeAsync(FreeMemoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FreeMemoryOptions();
        var call = ComfyRequest.Api(HttpMethod.Post, "free");
        call.Content = RequestContent.Json(new FreeBody { UnloadModels = options.UnloadModels, FreeMemory = options.FreeMemory }, ComfyJsonContext.Default.FreeBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }
}

/// <summary>What <see cref="MemoryClient.FreeAsync"/> asks the server to free.</summary>
public sealed class FreeMemoryOptions
{
    /// <summary>Unload the loaded models. Defaults to <see langword="true"/>.</summary>
    public bool UnloadModels { get; init; } = true;

    /// <summary>Free memory (the server then also unloads the models and resets the node cache). Defaults to <see langword="true"/>.</summary>
    public bool FreeMemory { get; init; } = true;
}

/// <summary>The body of <c>POST /free</c>.</summary>
internal sealed class FreeBody
{
    [JsonPropertyName("unload_models")]
    public bool UnloadModels { get; init; }

    [JsonPropertyName("free_memory")]
    public bool FreeMemory { get; init; }
}
