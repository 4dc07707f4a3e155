using System.Text.Json.Nodes;

namespace ComfyUI.Client.Testing.Execution;

/// <summary>A queued prompt: the 5-tuple of /queue plus what the worker needs.</summary>
internal sealed class QueueItem
{
    public required JsonNode Number { get; init; }

    public required double SortNumber { get; init; }

    public required string PromptId { get; init; }

    public required JsonObject Prompt { get; init; }

    public required JsonObject ExtraData { get; init; }

    public required List<string> Outputs { get; init; }

    public required long CreateTime { get; init; }

    public string? ClientId => Json.GetString(ExtraData["client_id"]);

    public CancellationTokenSource Interrupt { get; } = new();

    public bool Discarded { get; set; }

    public long? StartTime { get; set; }

    public JsonArray ToTuple() => new(Number.DeepClone(), JsonValue.Create(PromptId), Prompt.DeepClone(), ExtraData.DeepClone(), Json.StringArray(Outputs));
}

/// <summary>A finished prompt as /history shows it.</summary>
internal sealed class HistoryEntry
{
    public required QueueItem Item { get; init; }

    public required JsonObject Outputs { get; init; }

    public required JsonObject Meta { get; init; }

    public required JsonArray Messages { get; init; }

    public required string StatusStr { get; init; }

    public required bool Completed { get; init; }

    public long? StartTime { get; init; }

    public long? EndTime { get; init; }

    public JsonObject? ExecutionError { get; init; }

    public bool Interrupted { get; init; }

    public JsonObject ToJson() => new()
    {
        ["prompt"] = Item.ToTuple(),
        ["outputs"] = Outputs.DeepClone(),
        ["status"] = new JsonObject
        {
            ["status_str"] = StatusStr,
            ["completed"] = Completed,
            ["messages"] = Messages.DeepClone(),
        },
        ["meta"] = Meta.DeepClone(),
    };
}
