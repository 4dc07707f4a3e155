namespace ComfyUI.Client;

/// <summary>The answer of <c>GET /users</c>: the users of a multi-user server, or whether a single-user server migrated its data.</summary>
public sealed class UsersInfo
{
    /// <summary>Where user data is stored (<c>server</c>).</summary>
    public string? Storage { get; init; }

    /// <summary>Single-user servers: whether the <c>default</c> user folder exists. <see langword="null"/> on multi-user servers.</summary>
    public bool? Migrated { get; init; }

    /// <summary>Multi-user servers: user id → display name. <see langword="null"/> on single-user servers.</summary>
    public IReadOnlyDictionary<string, string>? Users { get; init; }

    /// <summary>Whether the server runs with <c>--multi-user</c> (it listed users).</summary>
    public bool IsMultiUser => Users is not null;
}

/// <summary>The body of <c>POST /users</c>.</summary>
internal sealed class CreateUserBody
{
    public string Username { get; init; } = "";
}
