using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// A finished prompt as the server recorded it (<c>GET /history/{id}</c>): the prompt as queued, what each output node produced,
/// how it ended, and node metadata. Entries exist only once the prompt finished (success, error or interrupt).
/// </summary>
public sealed class HistoryEntry
{
    /// <summary>The prompt of an entry that has none (shared: a queue item cannot change).</summary>
    internal static readonly QueueItem NoPrompt = new();

    /// <summary>The prompt as queued: number, prompt id, prompt graph, extra data, outputs to execute.</summary>
    [JsonPropertyName("prompt")]
    public QueueItem Prompt { get; init; } = NoPrompt;

    /// <summary>The prompt id.</summary>
    [JsonIgnore]
    public string PromptId => Prompt.PromptId;

    /// <summary>What each output node produced, by node id (cached output nodes included).</summary>
    [JsonPropertyName("outputs")]
    public IReadOnlyDictionary<string, NodeOutput> Outputs { get; init; } = ReadOnlyDictionary<string, NodeOutput>.Empty;

    /// <summary>How the prompt ended, when the server recorded it.</summary>
    [JsonPropertyName("status")]
    public HistoryStatus? Status { get; init; }

    /// <summary>Node metadata by node id (display node, parent node, real node id).</summary>
    [JsonPropertyName("meta")]
    public IReadOnlyDictionary<string, HistoryNodeMeta> Meta { get; init; } = ReadOnlyDictionary<string, HistoryNodeMeta>.Empty;

    /// <summary>Whether the server recorded the prompt as successful.</summary>
    [JsonIgnore]
    public bool IsSuccess => string.Equals(Status?.StatusStr, "success", StringComparison.Ordinal);

    /// <summary>Every image of every output node, in node order: the images of this entry.</summary>
    [JsonIgnore]
    public IReadOnlyList<OutputFile> Images => Outputs.Values.SelectMany(output => output.Images).ToArray();

    /// <summary>Every output file of every kind (images, videos, audio, 3-D, …) of every output node.</summary>
    [JsonIgnore]
    public IReadOnlyList<OutputFile> Files => Outputs.Values.SelectMany(output => output.AllFiles).ToArray();
}

/// <summary>How a prompt ended, as recorded in its history entry.</summary>
public sealed class HistoryStatus
{
    /// <summary><c>success</c> or <c>error</c> (error also for interrupted prompts).</summary>
    [JsonPropertyName("status_str")]
    public string? StatusStr { get; init; }

    /// <summary>Whether every requested output completed.</summary>
    [JsonPropertyName("completed")]
    public bool Completed { get; init; }

    /// <summary>Stands for a JSON <c>null</c> list (as the generated path gives it), so that <see langword="null"/> can mean "not parsed yet".</summary>
    private static readonly IReadOnlyList<HistoryMessage> NullMessages = new ReadOnlyCollection<HistoryMessage>([]);

    private IReadOnlyList<HistoryMessage>? _messages;

    /// <summary>The lifecycle messages recorded during execution, in order (<c>execution_start</c>, <c>execution_cached</c>, then the outcome).</summary>
    [JsonPropertyName("messages")]
    public IReadOnlyList<HistoryMessage> Messages
    {
        get
        {
            var messages = Volatile.Read(ref _messages);
            if (messages is null)
            {
                var parsed = LazyMessages is { } lazy ? RecordedMessages.Parse(lazy.Value) : [];
                messages = Interlocked.CompareExchange(ref _messages, parsed, null) ?? parsed;
            }

            return ReferenceEquals(messages, NullMessages) ? null! : messages;
        }

        init => _messages = value ?? NullMessages;
    }

    /// <summary>
    /// The recorded list's bytes (already checked to be <c>[event_name, data]</c> pairs), turned into <see cref="Messages"/> on first use (entries
    /// read by <see cref="HistoryEntryReader"/>); <see cref="TryReadRecorded"/> reads one message from them without that (<see cref="RecordedMessages"/>).
    /// </summary>
    internal Serialization.LazyJsonElement? LazyMessages { get; init; }

    /// <summary>The data of the first recorded message with this event name, for example <c>execution_error</c>.</summary>
    /// <param name="eventName">The event name.</param>
    /// <returns>The message's data, or <see langword="null"/> when none was recorded.</returns>
    public JsonElement? FindMessage(string eventName)
    {
        foreach (var message in Messages)
        {
            if (string.Equals(message?.EventName, eventName, StringComparison.Ordinal))
            {
                return message!.Data;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the data of the first recorded message with this event name with <paramref name="read"/> (given a reader on the data's first token),
    /// straight from the recorded bytes when the messages were not parsed yet. Returns whether the message was recorded; <paramref name="value"/>
    /// is <see langword="default"/> when it was recorded without data, or its data is not an object, or <paramref name="read"/> threw
    /// <see cref="JsonException"/> (recorded, but not in a shape the SDK knows).
    /// </summary>
    internal bool TryReadRecorded<T>(string eventName, Utf8ValueReader<T> read, out T? value)
    {
        value = default;
        ReadOnlySpan<byte> data;
        if (Volatile.Read(ref _messages) is null && LazyMessages is { } lazy)
        {
            if (!RecordedMessages.TryFind(lazy.Utf8.Span, eventName, out var start, out var length))
            {
                return false;
            }

            data = lazy.Utf8.Span.Slice(start, length);
        }
        else
        {
            if (FindMessage(eventName) is not { } element)
            {
                return false;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return true;
            }
#if NET9_0_OR_GREATER
            data = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
#else
            data = System.Text.Encoding.UTF8.GetBytes(element.GetRawText());
#endif
        }

        var reader = new Utf8JsonReader(data, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return true;
        }

        try
        {
            value = read(ref reader);
        }
        catch (JsonException)
        {
            value = default;
        }

        return true;
    }
}

/// <summary>Reads a value from a reader on its first token.</summary>
/// <typeparam name="T">What is read.</typeparam>
/// <param name="reader">The reader.</param>
/// <returns>The value.</returns>
internal delegate T Utf8ValueReader<T>(ref Utf8JsonReader reader);

/// <summary>A recorded lifecycle message: on the wire the pair <c>[event_name, data]</c>.</summary>
[JsonConverter(typeof(HistoryMessageConverter))]
public sealed class HistoryMessage
{
    /// <summary>The event name, for example <c>execution_success</c>.</summary>
    public string EventName { get; init; } = "";

    /// <summary>The event's data (the same fields as the WebSocket message).</summary>
    public JsonElement Data { get; init; }
}

/// <summary>Metadata of a node in a history entry.</summary>
public sealed class HistoryNodeMeta
{
    /// <summary>The node id.</summary>
    [JsonPropertyName("node_id")]
    public string? NodeId { get; init; }

    /// <summary>The node shown in the UI for it.</summary>
    [JsonPropertyName("display_node")]
    public string? DisplayNode { get; init; }

    /// <summary>The parent node (subgraphs), or <see langword="null"/>.</summary>
    [JsonPropertyName("parent_node")]
    public string? ParentNode { get; init; }

    /// <summary>The node id in the original prompt.</summary>
    [JsonPropertyName("real_node_id")]
    public string? RealNodeId { get; init; }
}

/// <summary>Reads and writes the <c>[event_name, data]</c> pair.</summary>
internal sealed class HistoryMessageConverter : JsonConverter<HistoryMessage>
{
    /// <summary>The error for a message that is not such a pair.</summary>
    public const string ShapeError = "A history message must be the array [event_name, data].";

    public override HistoryMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            throw new JsonException(ShapeError);
        }

        var eventName = reader.TokenType == JsonTokenType.String ? reader.GetString()! : JsonElement.ParseValue(ref reader).GetRawText();
        reader.Read();
        JsonElement data = default;
        if (reader.TokenType != JsonTokenType.EndArray)
        {
            data = JsonElement.ParseValue(ref reader);
            reader.Read();
        }

        while (reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            reader.Read();
        }

        return new HistoryMessage { EventName = eventName, Data = data };
    }

    public override void Write(Utf8JsonWriter writer, HistoryMessage value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.EventName);
        if (value.Data.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.Data.WriteTo(writer);
        }

        writer.WriteEndArray();
    }
}
