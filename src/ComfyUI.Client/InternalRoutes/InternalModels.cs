using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>The buffered console log of the server (<c>/internal/logs/raw</c>).</summary>
[Experimental("COMFYUI001")]
public sealed class ServerLogs
{
    /// <summary>The log entries, oldest first (the same entries the WebSocket <c>logs</c> message carries).</summary>
    public IReadOnlyList<ServerLogEntry> Entries { get; init; } = [];

    /// <summary>The terminal size the server reports, when known.</summary>
    public TerminalSize? Size { get; init; }
}

/// <summary>The body of <c>PATCH /internal/logs/subscribe</c>.</summary>
internal sealed class LogsSubscribeBody
{
    [JsonPropertyName("clientId")]
    public string ClientId { get; init; } = "";

    public bool Enabled { get; init; }
}
