using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Turns WebSocket frames into <see cref="ComfyMessage"/> records: an envelope parse for text frames (read <c>type</c>, then <c>data</c> through the
/// source-generated context per type; unknown types keep their payload) and the big-endian layouts of binary frames. Everything handed out is an
/// owned copy of the input. Throws nothing but <see cref="ComfyUIProtocolException"/>.
/// </summary>
internal static class ComfyMessageParser
{
    /// <summary>Binary event type of a preview image without ids.</summary>
    public const int PreviewImageEvent = 1;

    /// <summary>Binary event type of node status text.</summary>
    public const int TextEvent = 3;

    /// <summary>Binary event type of a preview image with prompt and node ids.</summary>
    public const int PreviewImageWithMetadataEvent = 4;

    /// <summary>The most bytes of a bad frame kept in a <see cref="ProtocolErrorMessage"/>.</summary>
    public const int MaxKeptRawBytes = 64 * 1024;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Parses a UTF-8 text frame <c>{"type": …, "data": …}</c>.</summary>
    /// <param name="utf8">The whole frame.</param>
    /// <returns>The typed message, or <see cref="UnknownMessage"/> for an unknown type.</returns>
    /// <exception cref="ComfyUIProtocolException">The frame is not such a JSON object, or its data does not fit its type.</exception>
    public static ComfyMessage ParseText(ReadOnlySpan<byte> utf8)
    {
        // One forward pass over the envelope: find "type" and the extent of "data", then deserialize data straight from its bytes
        // (no intermediate JsonDocument). The envelope is validated to its closing brace.
        string? type = null;
        MessageType? known = null;
        var dataStart = -1;
        var dataLength = 0;
        var dataToken = JsonTokenType.None;
        ComfyMessage? hot = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read())
            {
                throw new ComfyUIProtocolException("A WebSocket text frame is empty.", "WebSocket text frame", null);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ComfyUIProtocolException($"A WebSocket text frame must be a JSON object, not {KindOf(reader.TokenType)}.", "WebSocket text frame", null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    known = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence ? MessageTypes.Find(reader.ValueSpan) : null;
                    type = reader.TokenType == JsonTokenType.String ? known?.Name ?? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    dataToken = reader.TokenType;
                    dataStart = (int)reader.TokenStartIndex;
                    if (known?.Hot is { } readHot && dataToken == JsonTokenType.StartObject && hot is null)
                    {
                        // "type" came first (as ComfyUI sends it): the frequent messages are read in this same pass.
                        hot = ReadHot(known.Name, readHot, ref reader);
                    }

                    if (hot is null)
                    {
                        reader.Skip();
                    }

                    dataLength = (int)reader.BytesConsumed - dataStart;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw new ComfyUIProtocolException("A WebSocket text frame is not valid JSON.", "WebSocket text frame", ex);
        }
        catch (InvalidOperationException ex)
        {
            // The reader checks UTF-8 only when a string is read.
            throw new ComfyUIProtocolException("The 'type' of a WebSocket text frame is not valid UTF-8.", "WebSocket text frame", ex);
        }

        if (type is null)
        {
            throw new ComfyUIProtocolException("A WebSocket text frame has no string 'type'.", "WebSocket text frame", null);
        }

        if (hot is not null)
        {
            return hot;
        }

        var data = dataStart < 0 ? ReadOnlySpan<byte>.Empty : utf8.Slice(dataStart, dataLength);
        try
        {
            return ParseData(type, data, dataToken);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or NotSupportedException)
        {
            throw new ComfyUIProtocolException($"The data of WebSocket message '{type}' cannot be read: {ex.Message}", $"WebSocket message '{type}'", ex);
        }
    }

    /// <summary>Reads the data object of a frequent message type in the envelope's own pass.</summary>
    private static ComfyMessage ReadHot(string type, HotReader read, ref Utf8JsonReader reader)
    {
        try
        {
            return read(ref reader);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or NotSupportedException)
        {
            throw new ComfyUIProtocolException($"The data of WebSocket message '{type}' cannot be read: {ex.Message}", $"WebSocket message '{type}'", ex);
        }
    }

    private static JsonValueKind KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    /// <summary>Parses a binary frame: a big-endian 32-bit event type, then its payload.</summary>
    /// <param name="frame">The whole frame.</param>
    /// <returns>The typed message, or <see cref="UnknownBinaryMessage"/> for an unknown event type.</returns>
    /// <exception cref="ComfyUIProtocolException">The frame is shorter than its layout says.</exception>
    public static ComfyMessage ParseBinary(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 4)
        {
            throw Binary($"A binary frame of {frame.Length} bytes has no event type.");
        }

        var eventType = unchecked((int)BinaryPrimitives.ReadUInt32BigEndian(frame));
        var payload = frame[4..];
        switch (eventType)
        {
            case PreviewImageEvent:
                {
                    if (payload.Length < 4)
                    {
                        throw Binary("A PREVIEW_IMAGE frame has no format code.");
                    }

                    var format = unchecked((int)BinaryPrimitives.ReadUInt32BigEndian(payload));
                    return new PreviewImageMessage { Format = format, MimeType = MimeTypeOf(format), Image = payload[4..].ToArray() };
                }

            case TextEvent:
                {
                    if (payload.Length < 4)
                    {
                        throw Binary("A TEXT frame has no node id length.");
                    }

                    var length = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    if (length > (uint)(payload.Length - 4))
                    {
                        throw Binary($"A TEXT frame says its node id has {length} bytes, but only {payload.Length - 4} follow.");
                    }

                    var nodeId = Encoding.UTF8.GetString(payload.Slice(4, (int)length));
                    var text = Encoding.UTF8.GetString(payload[(4 + (int)length)..]);
                    return new ProgressTextMessage { NodeId = nodeId, Text = text };
                }

            case PreviewImageWithMetadataEvent:
                {
                    if (payload.Length < 4)
                    {
                        throw Binary("A PREVIEW_IMAGE_WITH_METADATA frame has no metadata length.");
                    }

                    var length = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    if (length > (uint)(payload.Length - 4))
                    {
                        throw Binary($"A PREVIEW_IMAGE_WITH_METADATA frame says its metadata has {length} bytes, but only {payload.Length - 4} follow.");
                    }

                    PreviewMetadata? metadata;
                    try
                    {
                        metadata = JsonSerializer.Deserialize(payload.Slice(4, (int)length), ComfyJsonContext.Default.PreviewMetadata);
                    }
                    catch (JsonException ex)
                    {
                        throw new ComfyUIProtocolException("The metadata of a PREVIEW_IMAGE_WITH_METADATA frame is not valid JSON.", "WebSocket binary frame", ex);
                    }

                    if (metadata is null)
                    {
                        throw Binary("The metadata of a PREVIEW_IMAGE_WITH_METADATA frame is null.");
                    }

                    return new PreviewImageWithMetadataMessage
                    {
                        PromptId = metadata.PromptId,
                        NodeId = metadata.NodeId,
                        DisplayNodeId = metadata.DisplayNodeId,
                        ParentNodeId = metadata.ParentNodeId,
                        RealNodeId = metadata.RealNodeId,
                        MimeType = string.IsNullOrEmpty(metadata.ImageType) ? "application/octet-stream" : metadata.ImageType,
                        Image = payload[(4 + (int)length)..].ToArray(),
                    };
                }

            default:
                return new UnknownBinaryMessage { EventType = eventType, Payload = payload.ToArray() };
        }
    }

    /// <summary>Parses a frame and turns a <see cref="ComfyUIProtocolException"/> into a <see cref="ProtocolErrorMessage"/>.</summary>
    /// <param name="frame">The whole frame.</param>
    /// <param name="isBinary">Whether it is a binary frame.</param>
    /// <returns>The message; never throws.</returns>
    public static ComfyMessage ParseOrError(ReadOnlySpan<byte> frame, bool isBinary)
    {
        try
        {
            return isBinary ? ParseBinary(frame) : ParseText(frame);
        }
        catch (ComfyUIProtocolException ex)
        {
            return new ProtocolErrorMessage
            {
                Exception = ex,
                IsBinary = isBinary,
                RawFrame = frame[..Math.Min(frame.Length, MaxKeptRawBytes)].ToArray(),
            };
        }
    }

    /// <summary>The MIME type of a <c>PREVIEW_IMAGE</c> format code.</summary>
    /// <param name="format">1 = JPEG, 2 = PNG.</param>
    /// <returns>The MIME type.</returns>
    public static string MimeTypeOf(int format) => format switch
    {
        1 => "image/jpeg",
        2 => "image/png",
        _ => "application/octet-stream",
    };

    private static ComfyMessage ParseData(string type, ReadOnlySpan<byte> data, JsonTokenType dataToken)
    {
        var known = MessageTypes.Find(type);
        if (known is null)
        {
            return new UnknownMessage { Type = type, Data = dataToken is JsonTokenType.None ? default : Element(data) };
        }

        if (dataToken is JsonTokenType.None or JsonTokenType.Null)
        {
            throw new ComfyUIProtocolException($"WebSocket message '{type}' has no 'data' object.", $"WebSocket message '{type}'", null);
        }

        var body = Object(data, dataToken, type);
        ComfyMessage? message;
        if (known.Hot is { } hot)
        {
            // A frequent message whose data came before its type: read from the data's own bytes.
            var reader = new Utf8JsonReader(body, ReaderOptions);
            reader.Read();
            message = hot(ref reader);
        }
        else
        {
            message = known.Data!(body);
        }

        return message ?? throw new ComfyUIProtocolException($"WebSocket message '{type}' has null data.", $"WebSocket message '{type}'", null);
    }

    /// <summary>An owned <see cref="JsonElement"/> of a JSON value's bytes.</summary>
    private static JsonElement Element(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value, ReaderOptions);
        return JsonElement.ParseValue(ref reader);
    }

    private static ReadOnlySpan<byte> Object(ReadOnlySpan<byte> data, JsonTokenType token, string type) =>
        token == JsonTokenType.StartObject
            ? data
            : throw new ComfyUIProtocolException($"The data of WebSocket message '{type}' must be a JSON object, not {KindOf(token)}.", $"WebSocket message '{type}'", null);

    private static ComfyUIProtocolException Binary(string message) => new(message, "WebSocket binary frame", null);
}

/// <summary>The JSON header of a <c>PREVIEW_IMAGE_WITH_METADATA</c> frame.</summary>
internal sealed class PreviewMetadata
{
    public string? NodeId { get; init; }

    public string? PromptId { get; init; }

    public string? DisplayNodeId { get; init; }

    public string? ParentNodeId { get; init; }

    public string? RealNodeId { get; init; }

    public string? ImageType { get; init; }
}

/// <summary>The client's <c>feature_flags</c> handshake.</summary>
internal sealed class ClientFeatureFlags
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "feature_flags";

    [JsonPropertyName("data")]
    public Dictionary<string, bool> Data { get; init; } = [];
}
