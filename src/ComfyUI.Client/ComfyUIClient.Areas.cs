using System.Diagnostics.CodeAnalysis;

namespace ComfyUI.Client;

/// <content>The sub-clients of the discovery, files, user data, users, jobs and internal routes.</content>
public partial class ComfyUIClient
{
    /// <summary>Files: upload images and masks, read and download files (<c>/upload/*</c>, <c>/view</c>).</summary>
    public virtual FilesClient Files { get; private set; } = null!;

    /// <summary>Jobs: list, read and cancel jobs (<c>/api/jobs…</c>, newer servers; see <see cref="JobsClient.IsSupportedAsync"/>).</summary>
    public virtual JobsClient Jobs { get; private set; } = null!;

    /// <summary>Discovery: node definitions, models, features, system stats and other read-only server facts.</summary>
    public virtual DiscoveryClient Discovery { get; private set; } = null!;

    /// <summary>User data: per-user files under the server's user directory (<c>/userdata…</c>).</summary>
    public virtual UserDataClient UserData { get; private set; } = null!;

    /// <summary>Users and settings (<c>/users</c>, <c>/settings…</c>).</summary>
    public virtual UsersClient Users { get; private set; } = null!;

    /// <summary>The server's internal routes (<c>/internal/…</c>): logs, folder paths, file lists. They may change without notice.</summary>
    [Experimental("COMFYUI001")]
    public virtual InternalClient Internal { get; private set; } = null!;

    partial void InitializeMoreAreas()
    {
        UserData = new UserDataClient(_pipeline);
        Users = new UsersClient(_pipeline);
        Internal = new InternalClient(_pipeline);
        Discovery = new DiscoveryClient(_pipeline);
        Files = new FilesClient(_pipeline);
        Jobs = new JobsClient(_pipeline);
    }
}
