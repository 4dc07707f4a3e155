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
    private static readonly NodeOutputConverter Outputs = new();

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
                found = reader.TokenType == JsonTokenType.Null ? null : Entry(ref reader, utf8, promptId);
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

    /// <summary>
    /// Reads an entry. Its free-form parts (the prompt and extra data the queue item echoes, the recorded messages) are checked and located here,
    /// then copied into one array of their own and parsed only when the caller looks at them (<see cref="LazyJsonElement"/>).
    /// </summary>
    private static HistoryEntry Entry(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string promptId)
    {
        Expect(ref reader, JsonTokenType.StartObject, "a history entry");
        var item = default(ItemParts);
        var status = default(StatusParts);
        IReadOnlyDictionary<string, NodeOutput>? outputs = null;
        IReadOnlyDictionary<string, HistoryNodeMeta>? meta = null;
        bool hasPrompt = false, promptIsNull = false, hasOutputs = false, hasMeta = false, hasStatus = false;
        int member;
        while ((member = NextMember(ref reader, EntryMembers)) >= 0)
        {
            var isNull = reader.TokenType == JsonTokenType.Null;
            switch (member)
            {
                case 0:
                    hasPrompt = true;
                    promptIsNull = isNull;
                    if (!isNull)
                    {
                        item = Item(ref reader, utf8, promptId);
                    }

                    break;
                case 1:
                    hasOutputs = true;
                    outputs = isNull ? null : NodeOutputs(ref reader);
                    break;
                case 2:
                    hasStatus = !isNull;
                    if (!isNull)
                    {
                        status = Status(ref reader);
                    }

                    break;
                default:
                    hasMeta = true;
                    meta = isNull ? null : Meta(ref reader);
                    break;
            }
        }

        // One array for the free-form parts that are kept: the prompt, the extra data and the messages.
        var keepPrompt = hasPrompt && !promptIsNull;
        var keepMessages = hasStatus && status.Messages.Length > 0;
        var size = (keepPrompt ? item.Prompt.Length + item.ExtraData.Length : 0) + (keepMessages ? status.Messages.Length : 0);
        var owned = size == 0 ? [] : new byte[size];
        var offset = 0;
        var lazyPrompt = keepPrompt ? Keep(utf8, item.Prompt, owned, ref offset) : null;
        var lazyExtraData = keepPrompt ? Keep(utf8, item.ExtraData, owned, ref offset) : null;
        var lazyMessages = keepMessages ? Keep(utf8, status.Messages, owned, ref offset) : null;

        // Absent members keep the model's (shared, empty) defaults, as in the generated path.
        return new HistoryEntry
        {
            Prompt = !hasPrompt ? HistoryEntry.NoPrompt
                : promptIsNull ? null!
                : new QueueItem { Number = item.Number, PromptId = item.PromptId!, OutputsToExecute = item.Outputs!, LazyPrompt = lazyPrompt, LazyExtraData = lazyExtraData },
            Outputs = hasOutputs ? outputs! : ReadOnlyDictionary<string, NodeOutput>.Empty,
            Status = !hasStatus ? null
                : status.MessagesIsNull ? new HistoryStatus { StatusStr = status.StatusStr, Completed = status.Completed, Messages = null! }
                : new HistoryStatus { StatusStr = status.StatusStr, Completed = status.Completed, LazyMessages = lazyMessages },
            Meta = hasMeta ? meta! : ReadOnlyDictionary<string, HistoryNodeMeta>.Empty,
        };
    }

    /// <summary>Copies a located part into the owned array; <see langword="null"/> for a part that is absent.</summary>
    private static LazyJsonElement? Keep(ReadOnlySpan<byte> utf8, Part part, byte[] owned, ref int offset)
    {
        if (part.Length == 0)
        {
            return null;
        }

        utf8.Slice(part.Start, part.Length).CopyTo(owned.AsSpan(offset));
        var kept = new LazyJsonElement(owned.AsMemory(offset, part.Length));
        offset += part.Length;
        return kept;
    }

    /// <summary>
    /// A queue item <c>[number, prompt_id, prompt, extra_data, outputs_to_execute]</c>, read as <see cref="QueueItemConverter"/> reads it, with the
    /// prompt and extra data located instead of parsed. The requested prompt id's string is reused.
    /// </summary>
    private static ItemParts Item(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string promptId)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"A queue item must be a JSON array [number, prompt_id, prompt, extra_data, outputs], not {reader.TokenType}.");
        }

        var item = new ItemParts { Outputs = [] };
        var length = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (length++)
            {
                case 0:
                    item.Number = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : 0;
                    reader.Skip();
                    break;
                case 1:
                    item.PromptId = reader.TokenType != JsonTokenType.String ? RawText(ref reader, utf8)
                        : reader.ValueTextEquals(promptId) ? promptId
                        : reader.GetString();
                    break;
                case 2:
                    item.Prompt = Locate(ref reader);
                    break;
                case 3:
                    item.ExtraData = Locate(ref reader);
                    break;
                case 4 when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        item.Outputs.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : RawText(ref reader, utf8));
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (length < 2)
        {
            throw new JsonException($"A queue item must have at least 2 elements, it has {length}.");
        }

        return item;
    }

    /// <summary>Where the value the reader is on lies in the answer; the reader is left on its last token.</summary>
    private static Part Locate(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new Part(start, (int)reader.BytesConsumed - start);
    }

    /// <summary>The value's JSON text, as <see cref="JsonElement.GetRawText"/> gives it.</summary>
    private static string RawText(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        var part = Locate(ref reader);
        return System.Text.Encoding.UTF8.GetString(utf8.Slice(part.Start, part.Length));
    }

    /// <summary>Where a value lies in the answer (length 0: absent).</summary>
    private readonly record struct Part(int Start, int Length);

    /// <summary>The parts of a queue item until the entry is read.</summary>
    private struct ItemParts
    {
        public double Number;
        public string? PromptId;
        public List<string> Outputs;
        public Part Prompt;
        public Part ExtraData;
    }

    /// <summary>The parts of a status until the entry is read.</summary>
    private struct StatusParts
    {
        public string? StatusStr;
        public bool Completed;
        public bool MessagesIsNull;
        public Part Messages;
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

    private static StatusParts Status(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "status");
        var status = default(StatusParts);
        int member;
        while ((member = NextMember(ref reader, StatusMembers)) >= 0)
        {
            switch (member)
            {
                case 0: status.StatusStr = StatusString(ref reader); break;
                case 1: status.Completed = Boolean(ref reader); break;
                default:
                    status.MessagesIsNull = reader.TokenType == JsonTokenType.Null;
                    status.Messages = status.MessagesIsNull ? default : CheckedMessages(ref reader);
                    break;
            }
        }

        return status;
    }

    /// <summary>
    /// Checks that the recorded messages are a list of <c>[event_name, data]</c> pairs (or nulls), as <see cref="HistoryMessageConverter"/> requires,
    /// and locates the list: it is parsed only when <see cref="HistoryStatus.Messages"/> is asked for (<see cref="RecordedMessages"/>).
    /// </summary>
    private static Part CheckedMessages(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, "messages");
        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType == JsonTokenType.EndArray)
            {
                throw new JsonException(HistoryMessageConverter.ShapeError);
            }

            do
            {
                reader.Skip();
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);
        }

        return new Part(start, (int)reader.BytesConsumed - start);
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

    /// <summary>The status string, <c>success</c> and <c>error</c> shared.</summary>
    private static string? StatusString(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? String(ref reader)
        : reader.ValueTextEquals("success"u8) ? "success"
        : reader.ValueTextEquals("error"u8) ? "error"
        : reader.GetString();
}
