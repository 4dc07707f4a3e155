namespace ComfyUI.Client;

/// <summary>What a <see cref="Workflow"/> was read from.</summary>
public enum WorkflowSourceFormat
{
    /// <summary>An API-format prompt (or made in code).</summary>
    ApiPrompt,

    /// <summary>A UI (editor) workflow, converted to a prompt with the server's node schema.</summary>
    UiWorkflow,

    /// <summary>The prompt ComfyUI embedded in an image it wrote (PNG <c>prompt</c> chunk, WebP EXIF).</summary>
    ImagePrompt,

    /// <summary>The UI workflow ComfyUI embedded in an image it wrote, converted with the server's node schema.</summary>
    ImageWorkflow,
}
