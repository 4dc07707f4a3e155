using System.Collections.ObjectModel;
using System.Text.Json;
using ComfyUI.Client.Serialization;
using static ComfyUI.Client.Serialization.Utf8JsonPrimitives;

namespace ComfyUI.Client;

/// <summary>
/// Hand-written single-pass reader of the answers every tracked run reads: <c>GET /history/{id}</c> (the one entry asked for; the others, if
/// any, are skipped unread) and <c>POST /prompt</c>. The source-generated path reads them through nested object converters (a read stack, an
/// argument array, a dictionary of every entry); this reads straight into the models. Same rules as <see cref="Serialization.ComfyJsonContext"/>:
/// snake_case names, unknown members ignored, node ids and recorded event names shared between entries, a duplicate member's last value wins, JSON <c>null</c> where the context gives <see langword="null"/>,
/// numbers also from strings and named literals, comments and trailing commas allowed. Checked against the generated path by
/// <c>HistoryEntryReaderTests</c>. Wrong shapes throw <see cref="JsonException"/> (the pipeline turns it into a protocol error).
/// </summary>
internal static class HistoryEntryReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly QueueItemConverter QueueItems = new();
    private static readonly NodeOutputConverter Outputs = new();

    private static readonly string[] RecordedEventNames = ["execution_start", "execution_cached", "execution_success", "execution_error", "execution_interrupted"];
    private static readonly byte[][] EntryMembers = [Utf8("prompt"), Utf8("outputs"), Utf8("status"), Utf8("meta")];
    private static readonly byte[][] StatusMembers = [Utf8("status_str"), Utf8("completed"), Utf8("messages")];
    private static readonly byte[][] MetaMembers = [Utf8("node_id"), Utf8("display_node"), Utf8("parent_node"), Utf8("real_node_id")];
    private static readonly byte[][] PromptResponseMembers = [Utf8("prompt_id"), Utf8("number"), Utf8("node_errors")];

    /// <summary>Reads the entry of <paramref name="promptId"/> from a <c>GET /history/{id}</c> answer; <see langword="null"/> when it has none.</summary>
    /// <param name="utf8">The whole answer: an object of entries by prompt id.</param>
    /// <param name="promptId">The prompt id asked for.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public static HistoryEntry? ReadEntry(ReadOnlySpan<byte> utf8, string promptId)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        reader.Read();
        Expect(ref reader, JsonTokenType.StartObject, "the history answer");
        HistoryEntry? found = null;
        while (NextProperty(ref reader))
        {
            var match = reader.ValueTextEquals(promptId);
            reader.Read();
            if (match)
            {
                found = reader.TokenType == JsonTokenType.Null ? null : Entry(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        Expect(ref reader, JsonTokenType.EndObject, "the end of the history answer");
        return found;
    }

    /// <summary>Reads a <c>POST /prompt</c> answer.</summary>
    /// <param name="utf8">The whole answer.</param>
    /// <returns>The answer.</returns>
    public static QueuePromptResponse ReadPromptResponse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        reader.Read();
        Expect(ref reader, JsonTokenType.StartObject, "the answer of POST /prompt");
        string? promptId = "";
        double number = 0;
        IReadOnlyDictionary<string, JsonElement>? nodeErrors = ReadOnlyDictionary<string, JsonElement>.Empty;
        int member;
        while ((member = NextMember(ref reader, PromptResponseMembers)) >= 0)
        {
            switch (member)
            {
                case 0: promptId = String(ref reader); break;
                case 1: number = Number(ref reader); break;
                default: nodeErrors = reader.TokenType == JsonTokenType.Null ? null : Elements(ref reader); break;
            }
        }

        return new QueuePromptResponse { PromptId = promptId!, Number = number, NodeErrors = nodeErrors! };
    }

    private static HistoryEntry Entry(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "a history entry");
        QueueItem? prompt = null;
        IReadOnlyDictionary<string, NodeOutput>? outputs = null;
        IReadOnlyDictionary<string, HistoryNodeMeta>? meta = null;
        HistoryStatus? status = null;
        bool hasPrompt = false, hasOutputs = false, hasMeta = false;
        int member;
        while ((member = NextMember(ref reader, EntryMembers)) >= 0)
        {
            var isNull = reader.TokenType == JsonTokenType.Null;
            switch (member)
            {
                case 0:
                    hasPrompt = true;
                    prompt = isNull ? null : QueueItems.Read(ref reader, typeof(QueueItem), null!);
                    break;
                case 1:
                    hasOutputs = true;
                    outputs = isNull ? null : NodeOutputs(ref reader);
                    break;
                case 2:
                    status = isNull ? null : Status(ref reader);
                    break;
                default:
                    hasMeta = true;
                    meta = isNull ? null : Meta(ref reader);
                    break;
            }
        }

        // Absent members keep the model's (shared, empty) defaults, as in the generated path.
        return new HistoryEntry
        {
            Prompt = hasPrompt ? prompt! : HistoryEntry.NoPrompt,
            Outputs = hasOutputs ? outputs! : ReadOnlyDictionary<string, NodeOutput>.Empty,
            Status = status,
            Meta = hasMeta ? meta! : ReadOnlyDictionary<string, HistoryNodeMeta>.Empty,
        };
    }

    private static Dictionary<string, NodeOutput> NodeOutputs(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "outputs");
        var outputs = new Dictionary<string, NodeOutput>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            var node = RecentStringConverter.ReadString(ref reader);
            reader.Read();
            outputs[node] = Outputs.Read(ref reader, typeof(NodeOutput), null!);
        }

        return outputs;
    }

    private static HistoryStatus Status(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "status");
        string? statusStr = null;
        var completed = false;
        IReadOnlyList<HistoryMessage>? messages = null;
        var hasMessages = false;
        int member;
        while ((member = NextMember(ref reader, StatusMembers)) >= 0)
        {
            switch (member)
            {
                case 0: statusStr = StatusString(ref reader); break;
                case 1: completed = Boolean(ref reader); break;
                default:
                    hasMessages = true;
                    messages = reader.TokenType == JsonTokenType.Null ? null : MessageList(ref reader);
                    break;
            }
        }

        return new HistoryStatus { StatusStr = statusStr, Completed = completed, Messages = hasMessages ? messages! : [] };
    }

    /// <summary>The recorded messages: one owned document for the whole list, each message's data an element of it (as <see cref="HistoryMessageConverter"/> reads them).</summary>
    private static HistoryMessage[] MessageList(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, "messages");
        var list = JsonElement.ParseValue(ref reader);
        var messages = new HistoryMessage[list.GetArrayLength()];
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null)
            {
                messages[index++] = null!;
                continue;
            }

            if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() == 0)
            {
                throw new JsonException(HistoryMessageConverter.ShapeError);
            }

            var name = item[0];
            messages[index++] = new HistoryMessage
            {
                EventName = name.ValueKind == JsonValueKind.String ? KnownName(name) ?? name.GetString()! : name.GetRawText(),
                Data = item.GetArrayLength() > 1 ? item[1] : default,
            };
        }

        return messages;
    }

    private static Dictionary<string, HistoryNodeMeta> Meta(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "meta");
        var meta = new Dictionary<string, HistoryNodeMeta>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            var node = RecentStringConverter.ReadString(ref reader);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                meta[node] = null!;
                continue;
            }

            Expect(ref reader, JsonTokenType.StartObject, "a node's meta");
            string? nodeId = null, displayNode = null, parentNode = null, realNodeId = null;
            int member;
            while ((member = NextMember(ref reader, MetaMembers)) >= 0)
            {
                switch (member)
                {
                    case 0: nodeId = Id(ref reader); break;
                    case 1: displayNode = Id(ref reader); break;
                    case 2: parentNode = Id(ref reader); break;
                    default: realNodeId = Id(ref reader); break;
                }
            }

            meta[node] = new HistoryNodeMeta { NodeId = nodeId, DisplayNode = displayNode, ParentNode = parentNode, RealNodeId = realNodeId };
        }

        return meta;
    }

    private static IReadOnlyDictionary<string, JsonElement> Elements(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "node_errors");
        Dictionary<string, JsonElement>? elements = null;
        while (NextProperty(ref reader))
        {
            var name = reader.GetString()!;
            reader.Read();
            (elements ??= new(StringComparer.Ordinal))[name] = JsonElement.ParseValue(ref reader);
        }

        return elements is null ? ReadOnlyDictionary<string, JsonElement>.Empty : elements;
    }

    /// <summary>The recorded event names, so that every entry shares one string for each.</summary>
    private static string? KnownName(JsonElement name)
    {
        foreach (var known in RecordedEventNames)
        {
            if (name.ValueEquals(known))
            {
                return known;
            }
        }

        return null;
    }

    /// <summary>The status string, <c>success</c> and <c>error</c> shared.</summary>
    private static string? StatusString(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? String(ref reader)
        : reader.ValueTextEquals("success"u8) ? "success"
        : reader.ValueTextEquals("error"u8) ? "error"
        : reader.GetString();
}
