using System.Text.Json;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// Users and settings (<c>/users</c>, <c>/settings…</c>). Settings belong to the <see cref="ComfyUIClientOptions.User"/> (<c>Comfy-User</c>,
/// only with <c>--multi-user</c>; an unknown user answers 401). Get it from <see cref="ComfyUIClient.Users"/>. Thread-safe.
/// </summary>
/// <remarks>Absent rule: <see cref="GetSettingAsync"/> returns <see langword="null"/> for a setting that is not set (the server answers <c>null</c>).</remarks>
public class UsersClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected UsersClient()
    {
    }

    internal UsersClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>Reads the users (<c>GET /users</c>): the user list on multi-user servers, the migration flag on single-user ones.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The users information.</returns>
    public virtual Task<UsersInfo> GetUsersAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "users"), ComfyJsonContext.Default.UsersInfo, cancellationToken);

    /// <summary>
    /// Creates a user (<c>POST /users</c>). A duplicate display name answers 400 <c>{"error": "Duplicate username."}</c> (<see cref="ComfyUIApiException"/>).
    /// </summary>
    /// <param name="userName">The display name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new user id (the name made safe plus <c>_</c> and a UUID) to use as <see cref="ComfyUIClientOptions.User"/>.</returns>
    public virtual Task<string> CreateUserAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        var call = ComfyRequest.Api(HttpMethod.Post, "users");
        call.Content = RequestContent.Json(new CreateUserBody { Username = userName }, ComfyJsonContext.Default.CreateUserBody);
        return _pipeline.SendJsonAsync(call, ComfyJsonContext.Default.String, cancellationToken);
    }

    /// <summary>Reads every setting of the user (<c>GET /settings</c>); empty when none.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The settings by id.</returns>
    public virtual async Task<IReadOnlyDictionary<string, JsonElement>> GetSettingsAsync(CancellationToken cancellationToken = default) =>
        await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "settings"), ComfyJsonContext.Default.DictionaryStringJsonElement, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads one setting (<c>GET /settings/{id}</c>); <see langword="null"/> when it is not set.</summary>
    /// <param name="id">The setting id, for example <c>Comfy.Locale</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or <see langword="null"/> when absent.</returns>
    public virtual async Task<JsonElement?> GetSettingAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var value = await _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "settings").Escaped(id), ComfyJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
        return value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : value;
    }

    /// <summary>Merges settings into the user's settings (<c>POST /settings</c>); settings not listed are kept.</summary>
    /// <param name="settings">The settings to set, by id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server stored them.</returns>
    public virtual Task SaveSettingsAsync(IReadOnlyDictionary<string, JsonElement> settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var call = ComfyRequest.Api(HttpMethod.Post, "settings");
        call.Content = RequestContent.Json(settings.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal), ComfyJsonContext.Default.DictionaryStringJsonElement);
        return _pipeline.SendAsync(call, cancellationToken);
    }

    /// <summary>Sets one setting (<c>POST /settings/{id}</c>).</summary>
    /// <param name="id">The setting id.</param>
    /// <param name="value">The value (any JSON).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server stored it.</returns>
    public virtual Task SaveSettingAsync(string id, JsonElement value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var call = ComfyRequest.Api(HttpMethod.Post, "settings").Escaped(id);
        call.Content = RequestContent.Json(value, ComfyJsonContext.Default.JsonElement);
        return _pipeline.SendAsync(call, cancellationToken);
    }
}
