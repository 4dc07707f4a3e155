using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Nodes;
using ComfyUI.Client.Testing.Png;
using ComfyUI.Client.Testing.WebSockets;

namespace ComfyUI.Client.Testing.Execution;

/// <summary>Runs one prompt and emits the same events, in the same order, as ComfyUI's executor.</summary>
internal sealed class Executor
{
    private readonly ServerState state;
    private readonly QueueItem item;
    private readonly JsonObject progressNodes = [];
    private readonly JsonArray messages = [];
    private readonly JsonObject outputs = [];
    private readonly JsonObject meta = [];
    private readonly Dictionary<string, object?[]> results = new(StringComparer.Ordinal);
    private readonly List<string> executed = [];

    public Executor(ServerState state, QueueItem item)
    {
        this.state = state;
        this.item = item;
        PromptJson = Json.Serialize(item.Prompt);
    }

    public string PromptJson { get; }

    /// <summary>The PNG text chunks ComfyUI's save nodes write: "prompt" and each key of extra_pnginfo (e.g. "workflow").</summary>
    public Dictionary<string, string> PngText()
    {
        // Default escaping keeps the text ASCII (tEXt chunks are Latin-1), like Python's json.dumps.
        var text = new Dictionary<string, string>(StringComparer.Ordinal) { ["prompt"] = item.Prompt.ToJsonString() };
        if (item.ExtraData["extra_pnginfo"] is JsonObject info)
        {
            foreach (var (key, value) in info)
            {
                text[key] = value?.ToJsonString() ?? "null";
            }
        }

        return text;
    }

    private string? Client => item.ClientId;

    private string PromptId => item.PromptId;

    private WsHub Hub => state.Hub;

    /// <summary>Sends to the prompt's client; when there is none, only <paramref name="broadcastWithoutClient"/> events go to everyone.</summary>
    private void Emit(string type, JsonObject data, bool broadcastWithoutClient = false)
    {
        if (Client is not null)
        {
            Hub.Send(type, data, Client);
        }
        else if (broadcastWithoutClient)
        {
            Hub.Send(type, data, null);
        }
    }

    private JsonObject Record(string type, JsonObject data)
    {
        messages.Add(new JsonArray(JsonValue.Create(type), data.DeepClone()));
        Emit(type, data, type == "execution_interrupted");
        return data;
    }

    public async Task<HistoryEntry?> RunAsync()
    {
        var token = item.Interrupt.Token;
        var start = Json.NowMs();
        item.StartTime = start;
        state.NoteExecuted(PromptId);
        Record("execution_start", new JsonObject { ["prompt_id"] = PromptId, ["timestamp"] = start });

        var order = ExecutionOrder();
        var signatures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in order)
        {
            signatures[id] = Signature(id, signatures);
        }

        List<string> cached;
        lock (state.Gate)
        {
            cached = [.. order.Where(id => state.Cache.TryGetValue(id, out var c) && c.Signature == signatures[id])];
            foreach (var id in cached)
            {
                results[id] = state.Cache[id].Outputs;
            }
        }

        Record("execution_cached", new JsonObject { ["nodes"] = Json.StringArray(cached), ["prompt_id"] = PromptId, ["timestamp"] = Json.NowMs() });
        executed.AddRange(cached);

        foreach (var id in item.Outputs.Where(cached.Contains))
        {
            JsonObject? ui;
            lock (state.Gate)
            {
                ui = state.Cache[id].Ui;
            }

            if (ui is not null)
            {
                Emit("executed", new JsonObject { ["node"] = id, ["display_node"] = id, ["output"] = ui.DeepClone(), ["prompt_id"] = PromptId });
                outputs[id] = ui.DeepClone();
                meta[id] = Meta(id);
            }

            progressNodes[id] = ProgressEntry(id, JsonValue.Create(1), JsonValue.Create(1), "finished");
            SendProgressState();
        }

        foreach (var id in order.Where(id => !cached.Contains(id)))
        {
            var node = (JsonObject)item.Prompt[id]!;
            var classType = Json.GetString(node["class_type"])!;
            Dictionary<string, object?> inputs = [];
            try
            {
                token.ThrowIfCancellationRequested();
                progressNodes[id] = ProgressEntry(id, Json.Float(0), Json.Float(1), "running");
                SendProgressState();
                lock (state.Gate)
                {
                    state.RunningNode = id;
                }

                Emit("executing", new JsonObject { ["node"] = id, ["display_node"] = id, ["prompt_id"] = PromptId });
                inputs = ResolveInputs(id, node, classType);
                await state.Faults.BeforeNodeAsync(id, classType, token).ConfigureAwait(false);
                var context = new NodeContext(this, id, classType, inputs, state.Files, token);
                var result = await state.Catalog.Implementations[classType].RunAsync(context).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                results[id] = result.Outputs;
                executed.Add(id);
                if (result.Ui is not null)
                {
                    Emit("executed", new JsonObject { ["node"] = id, ["display_node"] = id, ["output"] = result.Ui.DeepClone(), ["prompt_id"] = PromptId });
                    outputs[id] = result.Ui.DeepClone();
                    meta[id] = Meta(id);
                }

                var entry = (JsonObject)progressNodes[id]!;
                entry["value"] = entry["max"]!.DeepClone();
                entry["state"] = "finished";
                SendProgressState();
                lock (state.Gate)
                {
                    state.Cache[id] = new CacheEntry(signatures[id], result.Outputs, result.Ui);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                if (item.Discarded)
                {
                    return null;
                }

                var end = Json.NowMs();
                Record("execution_interrupted", new JsonObject
                {
                    ["prompt_id"] = PromptId,
                    ["node_id"] = id,
                    ["node_type"] = classType,
                    ["executed"] = Json.StringArray(executed),
                    ["timestamp"] = end,
                });
                return Finish("error", false, start, end, null, interrupted: true);
            }
            catch (Exception ex)
            {
                if (item.Discarded)
                {
                    return null;
                }

                var (type, message) = ex is NodeException ne ? (ne.ExceptionType, ne.Message) : ("RuntimeError", ex.Message);
                if (progressNodes[id] is JsonObject pe)
                {
                    pe["state"] = "error";
                }

                var end = Json.NowMs();
                var error = Record("execution_error", new JsonObject
                {
                    ["prompt_id"] = PromptId,
                    ["node_id"] = id,
                    ["node_type"] = classType,
                    ["executed"] = Json.StringArray(executed),
                    ["exception_message"] = message + "\n",
                    ["exception_type"] = type,
                    ["traceback"] = new JsonArray(
                        JsonValue.Create("  File \"/srv/comfyui/execution.py\", line 545, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all)\n"),
                        JsonValue.Create($"  File \"/fake-comfyui/nodes/{classType}.py\", line 1, in run\n    raise {type}(message)\n")),
                    ["current_inputs"] = CurrentInputs(node, inputs),
                    ["current_outputs"] = Json.StringArray(order),
                    ["timestamp"] = end,
                });
                return Finish("error", false, start, end, error, interrupted: false);
            }
        }

        var finished = Json.NowMs();
        Record("execution_success", new JsonObject { ["prompt_id"] = PromptId, ["timestamp"] = finished });
        return Finish("success", true, start, finished, null, interrupted: false);
    }

    private HistoryEntry Finish(string statusStr, bool completed, long start, long end, JsonObject? error, bool interrupted) => new()
    {
        Item = item,
        Outputs = outputs,
        Meta = meta,
        Messages = messages,
        StatusStr = statusStr,
        Completed = completed,
        StartTime = start,
        EndTime = end,
        ExecutionError = error,
        Interrupted = interrupted,
    };

    private static JsonObject Meta(string id) => new() { ["node_id"] = id, ["display_node"] = id, ["parent_node"] = null, ["real_node_id"] = id };

    private JsonObject ProgressEntry(string id, JsonNode value, JsonNode max, string st) => new()
    {
        ["value"] = value,
        ["max"] = max,
        ["state"] = st,
        ["node_id"] = id,
        ["prompt_id"] = PromptId,
        ["display_node_id"] = id,
        ["parent_node_id"] = null,
        ["real_node_id"] = id,
    };

    private void SendProgressState() => Emit("progress_state", new JsonObject { ["prompt_id"] = PromptId, ["nodes"] = progressNodes.DeepClone() }, broadcastWithoutClient: true);

    /// <summary>Progress from a node: progress_state, then progress and the preview (type 4 before progress for metadata clients).</summary>
    public void ReportProgress(string nodeId, long value, long max, PreviewImage? preview)
    {
        if (progressNodes[nodeId] is JsonObject entry)
        {
            entry["value"] = value;
            entry["max"] = max;
        }

        SendProgressState();
        var progress = new JsonObject { ["value"] = value, ["max"] = max, ["prompt_id"] = PromptId, ["node"] = nodeId };
        var metadataClient = Client is not null && Hub.Find(Client)?.SupportsPreviewMetadata == true;
        if (preview is not null && metadataClient)
        {
            var metadata = new JsonObject
            {
                ["node_id"] = nodeId,
                ["prompt_id"] = PromptId,
                ["display_node_id"] = nodeId,
                ["parent_node_id"] = null,
                ["real_node_id"] = nodeId,
                ["image_type"] = preview.Format == 2 ? "image/png" : "image/jpeg",
            };
            Hub.SendBinary(WsHub.PreviewWithMetadataFrame(metadata, preview.Bytes), Client);
        }

        Emit("progress", progress, broadcastWithoutClient: true);
        if (preview is not null && !metadataClient)
        {
            Hub.SendBinary(WsHub.PreviewFrame(preview.Format, preview.Bytes), Client);
        }
    }

    public void SendText(string nodeId, string text) => Hub.SendBinary(WsHub.TextFrame(nodeId, text), null);

    private static JsonObject CurrentInputs(JsonObject node, Dictionary<string, object?> inputs)
    {
        var current = new JsonObject();
        foreach (var (name, value) in inputs)
        {
            current[name] = new JsonArray(value switch
            {
                null => null,
                long l => JsonValue.Create(l),
                double d => Json.Float(d),
                bool b => JsonValue.Create(b),
                string s => JsonValue.Create(s),
                IReadOnlyList<RgbImage> images => JsonValue.Create($"tensor(shape=[{images.Count}, {images[0].Height}, {images[0].Width}, 3])"),
                _ => JsonValue.Create(value.ToString()),
            });
        }

        _ = node;
        return current;
    }

    private Dictionary<string, object?> ResolveInputs(string id, JsonObject node, string classType)
    {
        var def = state.Catalog.Raw(classType);
        var resolved = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (node["inputs"] is not JsonObject inputs)
        {
            return resolved;
        }

        foreach (var (name, value) in inputs)
        {
            if (Validator.IsLink(value, out var source, out var index))
            {
                var outs = results[source];
                resolved[name] = index < outs.Length ? outs[index] : null;
                continue;
            }

            var type = Validator.InputType(def, name);
            resolved[name] = type switch
            {
                "INT" => (long)Validator.ToDouble(value),
                "FLOAT" => Validator.ToDouble(value),
                "BOOLEAN" => value is JsonValue bv && bv.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? bv.GetValue<bool>() : Validator.ToDouble(value) != 0,
                _ => Json.PyStr(value),
            };
        }

        _ = id;
        return resolved;
    }

    private string Signature(string id, Dictionary<string, string> known)
    {
        var node = (JsonObject)item.Prompt[id]!;
        var sb = new StringBuilder();
        sb.Append(id).Append('|').Append(Json.GetString(node["class_type"]));
        if (node["inputs"] is JsonObject inputs)
        {
            foreach (var (name, value) in inputs.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                sb.Append('|').Append(name).Append('=');
                if (Validator.IsLink(value, out var source, out var index))
                {
                    sb.Append('[').Append(known.TryGetValue(source, out var s) ? s : source).Append(']').Append(index.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(Json.Serialize(value));
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>Output nodes in ascending id order, each after its dependencies (depth first).</summary>
    private List<string> ExecutionOrder()
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string id)
        {
            if (!seen.Add(id))
            {
                return;
            }

            if (item.Prompt[id]?["inputs"] is JsonObject inputs)
            {
                foreach (var (_, value) in inputs)
                {
                    if (Validator.IsLink(value, out var source, out _) && item.Prompt.ContainsKey(source))
                    {
                        Visit(source);
                    }
                }
            }

            order.Add(id);
        }

        foreach (var output in item.Outputs.OrderBy(o => o, Validator.NodeIdComparer))
        {
            Visit(output);
        }

        return order;
    }
}
