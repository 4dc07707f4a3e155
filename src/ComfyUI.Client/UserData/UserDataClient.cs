using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// Per-user files under the server's user directory (<c>/userdata…</c>, <c>/v2/userdata</c>): workflows, settings files, templates.
/// The user is the <see cref="ComfyUIClientOptions.User"/> (<c>Comfy-User</c>, only with <c>--multi-user</c>). Get it from
/// <see cref="ComfyUIClient.UserData"/>. Thread-safe.
/// </summary>
/// <remarks>
/// File names are relative paths such as <c>workflows/my.json</c>, sent as ONE path segment ('/' as <c>%2F</c>), so they cannot change the
/// route; the server rejects paths that leave the user directory (403). Absent rule: <see cref="OpenAsync"/> returns <see langword="null"/> and
/// <see cref="DeleteAsync"/> <see langword="false"/> for a missing file, listings of a missing directory are empty; conflicts (409), bad input (400)
/// and the rest throw <see cref="ComfyUIApiException"/> with the server's text.
/// </remarks>
public class UserDataClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected UserDataClient()
    {
    }

    internal UserDataClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>Lists the files of a directory (<c>GET /userdata?dir=…</c>), paths relative to it with '/' separators, unordered. Empty when the directory is missing.</summary>
    /// <param name="directory">The directory relative to the user root, for example <c>workflows</c>.</param>
    /// <param name="options">How to list (<see cref="UserDataListOptions.Recurse"/>), or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The file paths.</returns>
    public virtual async Task<IReadOnlyList<string>> ListAsync(string directory, UserDataListOptions? options = null, CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonOrNullAsync(ListRequest(directory, options, fullInfo: false, split: false), ComfyJsonContext.Default.StringArray, null, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>Lists the files of a directory with size and times (<c>GET /userdata?dir=…&amp;full_info=true</c>). Empty when the directory is missing.</summary>
    /// <param name="directory">The directory relative to the user root.</param>
    /// <param name="options">How to list (<see cref="UserDataListOptions.Recurse"/>), or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The files.</returns>
    public virtual async Task<IReadOnlyList<UserDataFileInfo>> ListWithInfoAsync(string directory, UserDataListOptions? options = null, CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonOrNullAsync(ListRequest(directory, options, fullInfo: true, split: false), ComfyJsonContext.Default.UserDataFileInfoArray, null, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>Lists the files of a directory split into their parts (<c>GET /userdata?dir=…&amp;split=true</c>). Empty when the directory is missing.</summary>
    /// <param name="directory">The directory relative to the user root.</param>
    /// <param name="options">How to list (<see cref="UserDataListOptions.Recurse"/>), or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The files with their parts.</returns>
    public virtual async Task<IReadOnlyList<UserDataSplitPath>> ListSplitAsync(string directory, UserDataListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var rows = await _pipeline.SendJsonOrNullAsync(ListRequest(directory, options, fullInfo: false, split: true), ComfyJsonContext.Default.StringArrayArray, null, cancellationToken).ConfigureAwait(false) ?? [];
        return rows.Where(row => row is { Length: > 0 }).Select(row => new UserDataSplitPath { Path = row[0], Parts = row[1..] }).ToArray();
    }

    private static ComfyRequest ListRequest(string directory, UserDataListOptions? options, bool fullInfo, bool split)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var call = ComfyRequest.Api(HttpMethod.Get, "userdata").Query("dir", directory).Query("recurse", options?.Recurse ?? false).Query("full_info", fullInfo).Query("split", split);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return call;
    }

    /// <summary>
    /// Lists files and directories under a path, recursively (<c>GET /v2/userdata?path=…</c>, ComfyUI 0.3.30 and later): directories first, then by name.
    /// Empty when the path is missing.
    /// </summary>
    /// <param name="path">The directory relative to the user root, or <see langword="null"/> for the root.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    [Experimental("COMFYUI001")]
    public virtual async Task<IReadOnlyList<UserDataEntry>> ListEntriesAsync(string? path = null, CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Get, "v2", "userdata").Query("path", path);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return await _pipeline.SendJsonOrNullAsync(call, ComfyJsonContext.Default.UserDataEntryArray, null, cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>Opens a file (<c>GET /userdata/{file}</c>) as a non-buffered stream; dispose it. <see langword="null"/> when the file is missing (404).</summary>
    /// <param name="file">The path relative to the user root, for example <c>workflows/my.json</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The file's bytes, or <see langword="null"/> when absent.</returns>
    public virtual Task<Stream?> OpenAsync(string file, CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Get, "userdata").Escaped(CheckName(file));
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return _pipeline.SendStreamAsync(call, cancellationToken);
    }

    /// <summary>
    /// Saves a file (<c>POST /userdata/{file}</c>), streaming its bytes from <paramref name="content"/> (left open), and returns where it was stored with
    /// its size and times (<c>full_info=true</c>). Parent directories are created. With <see cref="UserDataSaveOptions.Overwrite"/> off an existing file
    /// makes the server answer 409 (<see cref="ComfyUIApiException"/>).
    /// </summary>
    /// <param name="file">The path relative to the user root.</param>
    /// <param name="content">The bytes to store.</param>
    /// <param name="options">How to save (<see cref="UserDataSaveOptions.Overwrite"/>, on by default as on the server), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored file: its path relative to the user root (server OS separators), size and times.</returns>
    public virtual Task<UserDataFileInfo> SaveAsync(string file, Stream content, UserDataSaveOptions? options = null, CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(SaveRequest(file, content, options?.Overwrite ?? true), ComfyJsonContext.Default.UserDataFileInfo, cancellationToken);

    private ComfyRequest SaveRequest(string file, Stream content, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(content);
        var call = ComfyRequest.Api(HttpMethod.Post, "userdata").Escaped(CheckName(file)).Query("overwrite", overwrite).Query("full_info", true);
        var body = new LeaveOpenStreamContent(content, _pipeline.Server);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        call.Content = body;
        return call;
    }

    /// <summary>Deletes a file (<c>DELETE /userdata/{file}</c>).</summary>
    /// <param name="file">The path relative to the user root.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when deleted, <see langword="false"/> when there was no such file (404).</returns>
    public virtual async Task<bool> DeleteAsync(string file, CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Delete, "userdata").Escaped(CheckName(file));
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        using var response = await _pipeline.SendAsync(call, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>
    /// Moves or renames a file (<c>POST /userdata/{file}/move/{destination}</c>) and returns the moved file with its size and times. A missing source
    /// answers 404 and an existing destination without <see cref="UserDataMoveOptions.Overwrite"/> answers 409; both throw <see cref="ComfyUIApiException"/>.
    /// </summary>
    /// <param name="file">The path relative to the user root.</param>
    /// <param name="destination">The new path relative to the user root.</param>
    /// <param name="options">How to move (<see cref="UserDataMoveOptions.Overwrite"/>, off by default as in the official frontend), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The moved file: its new path relative to the user root (server OS separators), size and times.</returns>
    public virtual Task<UserDataFileInfo> MoveAsync(string file, string destination, UserDataMoveOptions? options = null, CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(MoveRequest(file, destination, options?.Overwrite ?? false), ComfyJsonContext.Default.UserDataFileInfo, cancellationToken);

    private static ComfyRequest MoveRequest(string file, string destination, bool overwrite) =>
        ComfyRequest.Api(HttpMethod.Post, "userdata").Escaped(CheckName(file)).Segment("move").Escaped(CheckName(destination))
            .Query("overwrite", overwrite).Query("full_info", true);

    private static string CheckName(string file, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(file))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(file, name);
        return file;
    }
}
