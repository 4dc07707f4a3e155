using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>The body of <c>POST /prompt</c>: the API-format prompt graph and how to queue it.</summary>
public sealed class QueuePromptRequest
{
    /// <summary>The API-format prompt: node id → <c>{class_type, inputs, _meta}</c>. Required.</summary>
    public required JsonObject Prompt { get; init; }

    /// <summary>
    /// The prompt id. When <see langword="null"/> the client makes a new lowercase hyphenated GUID, so the id is known before
    /// the server answers. Must be a canonical lowercase UUID.
    /// </summary>
    public string? PromptId { get; init; }

    /// <summary>The client id that receives the prompt's WebSocket events. <see langword="null"/> uses <see cref="ComfyUIClientOptions.ClientId"/>.</summary>
    public string? ClientId { get; init; }

    /// <summary>An explicit priority: lower numbers run first. When set, <see cref="Front"/> is ignored by the server.</summary>
    public double? Number { get; init; }

    /// <summary>Queue before the normal items (when <see cref="Number"/> is not set).</summary>
    public bool? Front { get; init; }

    /// <summary>
    /// Extra data stored with the prompt (<c>extra_pnginfo</c>, <c>preview_method</c>, <c>api_key_comfy_org</c>, …).
    /// The server strips credentials before storing it.
    /// </summary>
    public JsonObject? ExtraData { get; init; }

    /// <summary>Run only these output node ids (and what they depend on).</summary>
    public IReadOnlyList<string>? PartialExecutionTargets { get; init; }
}

/// <summary>The wire shape of <c>POST /prompt</c>'s body.</summary>
internal sealed class QueuePromptBody
{
    [JsonPropertyName("prompt")]
    public required JsonObject Prompt { get; init; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    [JsonPropertyName("prompt_id")]
    public string? PromptId { get; init; }

    [JsonPropertyName("number")]
    public double? Number { get; init; }

    [JsonPropertyName("front")]
    public bool? Front { get; init; }

    [JsonPropertyName("extra_data")]
    public JsonObject? ExtraData { get; init; }

    [JsonPropertyName("partial_execution_targets")]
    public IReadOnlyList<string>? PartialExecutionTargets { get; init; }
}

/// <summary>The answer of <c>POST /prompt</c>: the prompt was queued.</summary>
public sealed class QueuePromptResponse
{
    /// <summary>The prompt id (the one the client sent).</summary>
    [JsonPropertyName("prompt_id")]
    public string PromptId { get; init; } = "";

    /// <summary>The queue number (priority): an integer from the server's counter (negative for <c>front</c>), or the client's number.</summary>
    [JsonPropertyName("number")]
    public double Number { get; init; }

    /// <summary>
    /// Output nodes that failed validation while others passed: the prompt is queued and only the valid outputs run.
    /// Empty when every output validated.
    /// </summary>
    [JsonPropertyName("node_errors")]
    public IReadOnlyDictionary<string, JsonElement> NodeErrors { get; init; } = ReadOnlyDictionary<string, JsonElement>.Empty;
}

/// <summary>The answer of <c>GET /prompt</c>, also the <c>status</c> of the WebSocket <c>status</c> message.</summary>
public sealed class QueueStatus
{
    /// <summary>The default of a message without one (shared: it cannot change).</summary>
    internal static readonly QueueStatus Empty = new();

    /// <summary>Execution info.</summary>
    [JsonPropertyName("exec_info")]
    public ExecInfo ExecInfo { get; init; } = ExecInfo.Empty;
}

/// <summary>How much work the server has.</summary>
public sealed class ExecInfo
{
    /// <summary>The default of a status without one (shared: it cannot change).</summary>
    internal static readonly ExecInfo Empty = new();

    /// <summary>Prompts pending plus the one running.</summary>
    [JsonPropertyName("queue_remaining")]
    public int QueueRemaining { get; init; }
}

/// <summary>The answer of <c>GET /queue</c>: the running prompt(s) and the pending ones.</summary>
public sealed class QueueState
{
    /// <summary>The prompts running now (at most one on a normal server).</summary>
    [JsonPropertyName("queue_running")]
    public IReadOnlyList<QueueItem> Running { get; init; } = [];

    /// <summary>The pending prompts in the server's heap order (not sorted). Use <see cref="PendingInExecutionOrder"/> for the run order.</summary>
    [JsonPropertyName("queue_pending")]
    public IReadOnlyList<QueueItem> Pending { get; init; } = [];

    /// <summary>The pending prompts sorted by (number, prompt id): the order the server will run them.</summary>
    [JsonIgnore]
    public IEnumerable<QueueItem> PendingInExecutionOrder =>
        Pending.OrderBy(item => item.Number).ThenBy(item => item.PromptId, StringComparer.Ordinal);

    /// <summary>Whether a prompt with this id is running or pending.</summary>
    /// <param name="promptId">The prompt id.</param>
    /// <returns><see langword="true"/> when the prompt is in the queue.</returns>
    public bool Contains(string promptId) =>
        Running.Any(item => item.PromptId == promptId) || Pending.Any(item => item.PromptId == promptId);

    /// <summary>Where the queue has a prompt: running, or pending at a position (0 runs next), or nowhere.</summary>
    internal (PromptStatus? Status, int? Position) Locate(string promptId)
    {
        if (Running.Any(item => item.PromptId == promptId))
        {
            return (PromptStatus.Running, null);
        }

        var index = 0;
        foreach (var item in PendingInExecutionOrder)
        {
            if (item.PromptId == promptId)
            {
                return (PromptStatus.Queued, index);
            }

            index++;
        }

        return (null, null);
    }
}

/// <summary>
/// One queued prompt. On the wire it is the array <c>[number, prompt_id, prompt, extra_data, outputs_to_execute]</c>
/// (also the <c>prompt</c> of a history entry).
/// </summary>
[JsonConverter(typeof(QueueItemConverter))]
public sealed class QueueItem
{
    /// <summary>The queue number (priority); lower runs first.</summary>
    public double Number { get; init; }

    /// <summary>The prompt id.</summary>
    public string PromptId { get; init; } = "";

    private readonly JsonElement _prompt;
    private readonly JsonElement _extraData;

    /// <summary>The API-format prompt as queued.</summary>
    public JsonElement Prompt
    {
        get => LazyPrompt?.Value ?? _prompt;
        init => _prompt = value;
    }

    /// <summary>The stored extra data (<c>client_id</c>, <c>create_time</c>, <c>extra_pnginfo</c>, …; credentials stripped).</summary>
    public JsonElement ExtraData
    {
        get => LazyExtraData?.Value ?? _extraData;
        init => _extraData = value;
    }

    /// <summary>The prompt's bytes, parsed on first use of <see cref="Prompt"/> (items read by <see cref="HistoryEntryReader"/>).</summary>
    internal Serialization.LazyJsonElement? LazyPrompt { get; init; }

    /// <summary>The extra data's bytes, parsed on first use of <see cref="ExtraData"/> (items read by <see cref="HistoryEntryReader"/>).</summary>
    internal Serialization.LazyJsonElement? LazyExtraData { get; init; }

    /// <summary>The output node ids that passed validation and will run.</summary>
    public IReadOnlyList<string> OutputsToExecute { get; init; } = [];

    /// <summary>The client id that queued the prompt, from <c>extra_data.client_id</c>.</summary>
    public string? ClientId =>
        ExtraData.ValueKind == JsonValueKind.Object && ExtraData.TryGetProperty("client_id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    /// <summary>When the server queued the prompt, from <c>extra_data.create_time</c> (milliseconds since the epoch), if present.</summary>
    public DateTimeOffset? CreateTime =>
        ExtraData.ValueKind == JsonValueKind.Object && ExtraData.TryGetProperty("create_time", out var time) && time.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)time.GetDouble())
            : null;
}

/// <summary>Reads and writes the queue item tuple.</summary>
internal sealed class QueueItemConverter : JsonConverter<QueueItem>
{
    public override QueueItem Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"A queue item must be a JSON array [number, prompt_id, prompt, extra_data, outputs], not {reader.TokenType}.");
        }

        // One owned document for the whole item: the prompt and extra data are elements of it (no copies).
        var items = JsonElement.ParseValue(ref reader);
        var length = items.GetArrayLength();
        if (length < 2)
        {
            throw new JsonException($"A queue item must have at least 2 elements, it has {length}.");
        }

        var number = items[0].ValueKind == JsonValueKind.Number ? items[0].GetDouble() : 0;
        var promptId = items[1].ValueKind == JsonValueKind.String ? items[1].GetString()! : items[1].GetRawText();
        var outputs = new List<string>();
        if (length > 4 && items[4].ValueKind == JsonValueKind.Array)
        {
            foreach (var output in items[4].EnumerateArray())
            {
                outputs.Add(output.ValueKind == JsonValueKind.String ? output.GetString()! : output.GetRawText());
            }
        }

        return new QueueItem
        {
            Number = number,
            PromptId = promptId,
            Prompt = length > 2 ? items[2] : default,
            ExtraData = length > 3 ? items[3] : default,
            OutputsToExecute = outputs,
        };
    }

    public override void Write(Utf8JsonWriter writer, QueueItem value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Number);
        writer.WriteStringValue(value.PromptId);
        WriteElement(writer, value.Prompt);
        WriteElement(writer, value.ExtraData);
        writer.WriteStartArray();
        foreach (var output in value.OutputsToExecute)
        {
            writer.WriteStringValue(output);
        }

        writer.WriteEndArray();
        writer.WriteEndArray();
    }

    private static void WriteElement(Utf8JsonWriter writer, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            element.WriteTo(writer);
        }
    }
}

/// <summary>The body of <c>POST /queue</c> and <c>POST /history</c>.</summary>
internal sealed class ClearOrDeleteBody
{
    [JsonPropertyName("clear")]
    public bool? Clear { get; init; }

    [JsonPropertyName("delete")]
    public IReadOnlyList<string>? Delete { get; init; }
}

/// <summary>The body of <c>POST /interrupt</c>.</summary>
internal sealed class InterruptBody
{
    [JsonPropertyName("prompt_id")]
    public string? PromptId { get; init; }
}
