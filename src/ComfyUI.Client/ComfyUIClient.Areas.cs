using System.Diagnostics.CodeAnalysis;

namespace ComfyUI.Client;

/// <content>The sub-clients of the discovery, files, user data, users, jobs and internal routes.</content>
public partial class ComfyUIClient
{
    /// <summary>Files: upload images and masks, read and download files (<c>/upload/*</c>, <c>/view</c>).</summary>
    public virtual FilesClient Files { get; private set; } = null!;

    /// <summary>Jobs: list, read and cancel jobs (<c>/api/jobs…</c>, newer servers; see <see cref="JobsClient.IsSupportedAsync"/>).</summary>
    public virtual JobsClient Jobs { get; private set; } = null!;

    partial void InitializeMoreAreas()
    {
        Files = new FilesClient(_pipeline);
        Jobs = new JobsClient(_pipeline);
    }
}
