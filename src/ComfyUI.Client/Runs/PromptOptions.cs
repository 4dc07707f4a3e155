using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>How to submit and follow one run (<see cref="ComfyUIClient.SubmitAsync(Workflow, PromptOptions?, CancellationToken)"/>).</summary>
public sealed class PromptOptions
{
    /// <summary>
    /// Extra data stored with the prompt (<c>extra_pnginfo</c>, credentials for API nodes, …). Credentials are removed by the server
    /// before the prompt is stored.
    /// </summary>
    public JsonObject? ExtraData { get; init; }

    /// <summary>
    /// The live preview method for this prompt: <c>auto</c>, <c>latent2rgb</c>, <c>taesd</c>, <c>none</c> or <c>default</c> (the server's setting).
    /// <see langword="null"/> leaves it to <see cref="ExtraData"/> or the server. ComfyUI's default is <c>none</c>: set <c>auto</c> to get previews.
    /// </summary>
    public string? PreviewMethod { get; init; }

    /// <summary>Queue before the normal items.</summary>
    public bool Front { get; init; }

    /// <summary>An explicit queue number (lower runs first); overrides <see cref="Front"/>.</summary>
    public double? Number { get; init; }

    /// <summary>Run only these output node ids (and what they depend on).</summary>
    public IReadOnlyList<string>? PartialExecutionTargets { get; init; }

    /// <summary>
    /// Whether to validate the workflow offline before submitting it (<see cref="ComfyUIClient.ValidateAsync"/>);
    /// <see langword="null"/> follows <see cref="ComfyUIClientOptions.ValidatePrompts"/>.
    /// </summary>
    public bool? Validate { get; init; }

    /// <summary>The prompt id to use; <see langword="null"/> makes a new one (recommended).</summary>
    public string? PromptId { get; init; }

    /// <summary>
    /// A folder to download every output file into when the run succeeds (created if missing). Files keep their server names,
    /// under their subfolder, and never replace a local file: as ComfyUI does, a name that is taken gets the next counter
    /// (<c>ComfyUI_00001_.png</c> → <c>ComfyUI_00002_.png</c>) or a number (<c>name (1).png</c>); <see cref="PromptResult.SavedFiles"/>
    /// has the paths used. <see langword="null"/> downloads nothing.
    /// </summary>
    public string? DownloadOutputsTo { get; init; }

    /// <summary>A copy with <paramref name="promptId"/> as its prompt id (a pool fixes the id before placing the prompt; a test checks that it copies every property).</summary>
    internal PromptOptions WithPromptId(string promptId) => new()
    {
        ExtraData = ExtraData,
        PreviewMethod = PreviewMethod,
        Front = Front,
        Number = Number,
        PartialExecutionTargets = PartialExecutionTargets,
        Validate = Validate,
        PromptId = promptId,
        DownloadOutputsTo = DownloadOutputsTo,
    };
}
