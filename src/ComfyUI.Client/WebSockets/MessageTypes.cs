using System.Text.Json;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.WebSockets;

/// <summary>Reads the data object of a message in the envelope's own pass: the reader is on its <c>{</c> and is left on its <c>}</c>.</summary>
internal delegate ComfyMessage HotReader(ref Utf8JsonReader reader);

/// <summary>Reads the data object of a message from its own bytes (the source-generated context).</summary>
internal delegate ComfyMessage? DataReader(ReadOnlySpan<byte> data);

/// <summary>One known text message type: its name, and how its <c>data</c> is read.</summary>
internal sealed class MessageType
{
    private readonly byte[] _utf8;

    public MessageType(string name, HotReader hot, bool onlyForSubscribers = false)
    {
        OnlyForSubscribers = onlyForSubscribers;
        Name = name;
        _utf8 = System.Text.Encoding.UTF8.GetBytes(name);
        Hot = hot;
    }

    public MessageType(string name, DataReader data, bool onlyForSubscribers = false)
    {
        OnlyForSubscribers = onlyForSubscribers;
        Name = name;
        _utf8 = System.Text.Encoding.UTF8.GetBytes(name);
        Data = data;
    }

    /// <summary>The <c>type</c> the server sends (an interned string: no allocation per message).</summary>
    public string Name { get; }

    /// <summary>
    /// Whether only a subscription can use it: the run tracker ignores it, so a socket with no subscription (only the run tracker) does not read it.
    /// </summary>
    public bool OnlyForSubscribers { get; }

    /// <summary>The hand-written single-pass reader of a frequent message, or <see langword="null"/>.</summary>
    public HotReader? Hot { get; }

    /// <summary>The source-generated reader of a less frequent message, or <see langword="null"/>.</summary>
    public DataReader? Data { get; }

    public bool Is(ReadOnlySpan<byte> utf8) => utf8.SequenceEqual(_utf8);
}

/// <summary>The one table of the text messages the SDK knows, most frequent first; every other type is an <see cref="UnknownMessage"/>.</summary>
internal static class MessageTypes
{
    private static readonly MessageType[] All =
    [
        new("progress", HotMessageReaders.Progress),
        new("executing", HotMessageReaders.Executing),
        new("progress_state", HotMessageReaders.ProgressState, onlyForSubscribers: true),
        new("status", HotMessageReaders.Status),
        new("executed", HotMessageReaders.Executed),
        new("execution_start", HotMessageReaders.ExecutionStart),
        new("execution_cached", HotMessageReaders.ExecutionCached),
        new("execution_success", HotMessageReaders.ExecutionSuccess),
        new("execution_error", static data => JsonSerializer.Deserialize(data, ComfyJsonContext.Default.ExecutionErrorMessage)),
        new("execution_interrupted", static data => JsonSerializer.Deserialize(data, ComfyJsonContext.Default.ExecutionInterruptedMessage)),
        new("logs", static data => JsonSerializer.Deserialize(data, ComfyJsonContext.Default.LogsMessage), onlyForSubscribers: true),
        new("feature_flags", static data => new FeatureFlagsMessage { Flags = JsonSerializer.Deserialize(data, ComfyJsonContext.Default.DictionaryStringJsonElement)! }),
    ];

    /// <summary>The known type whose name is <paramref name="utf8"/>, or <see langword="null"/>.</summary>
    public static MessageType? Find(ReadOnlySpan<byte> utf8)
    {
        foreach (var type in All)
        {
            if (type.Is(utf8))
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>The known type of a text frame whose first member is <c>type</c> (as ComfyUI sends it), or <see langword="null"/>.</summary>
    public static MessageType? Peek(ReadOnlySpan<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName
                && reader.ValueTextEquals("type"u8) && reader.Read() && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                    ? Find(reader.ValueSpan)
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The known type named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static MessageType? Find(string name)
    {
        foreach (var type in All)
        {
            if (string.Equals(type.Name, name, StringComparison.Ordinal))
            {
                return type;
            }
        }

        return null;
    }
}
