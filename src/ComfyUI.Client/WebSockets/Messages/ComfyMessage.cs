using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// One message of a <see cref="ComfyWebSocket"/>: a JSON message of the server (<see cref="StatusMessage"/>, <see cref="ProgressMessage"/>, …),
/// a binary frame (<see cref="PreviewImageMessage"/>, …), a frame that could not be read (<see cref="ProtocolErrorMessage"/>) or a change of the
/// connection (<see cref="ConnectionStateMessage"/>). Switch on the type with pattern matching.
/// </summary>
/// <remarks>Payloads (JSON elements, image bytes) are owned copies: keep them as long as you like.</remarks>
public abstract record ComfyMessage
{
    /// <summary>
    /// The prompt this message belongs to, when it has one (execution messages, progress, previews with metadata); <see langword="null"/> for
    /// messages about the server or the connection, and for the reconnect replay of <see cref="ExecutingMessage"/>. Filter on it: a socket also sees
    /// broadcasts about other clients' prompts.
    /// </summary>
    [JsonPropertyName("prompt_id")]
    [JsonConverter(typeof(Serialization.RecentStringConverter))]
    public string? PromptId { get; init; }
}

/// <summary>A JSON message whose <c>type</c> the SDK does not know (custom nodes send their own). The payload is kept.</summary>
public sealed record UnknownMessage : ComfyMessage
{
    /// <summary>The message's <c>type</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The message's <c>data</c> as sent (an owned copy; <see cref="JsonValueKind.Undefined"/> when the message had none).</summary>
    public JsonElement Data { get; init; }
}

/// <summary>
/// A frame that could not be read (malformed JSON, a missing field, a truncated binary header). The socket goes on reading: this is reported
/// in-band so one bad frame never ends the stream.
/// </summary>
public sealed record ProtocolErrorMessage : ComfyMessage
{
    /// <summary>What could not be read.</summary>
    public required ComfyUIProtocolException Exception { get; init; }

    /// <summary>Whether the frame was binary (otherwise it was a UTF-8 text frame).</summary>
    public bool IsBinary { get; init; }

    /// <summary>The frame's bytes as received (an owned copy; cut to 64 KiB).</summary>
    public ReadOnlyMemory<byte> RawFrame { get; init; }
}
