using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using Microsoft.AspNetCore.Http;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>/prompt, /queue, /interrupt, /free, /history.</summary>
internal sealed class QueueRoutes
{
    private readonly ServerContext context;

    public QueueRoutes(ServerContext context)
    {
        this.context = context;
    }

    private ServerState State => context.State;

    public Task GetPrompt(HttpContext h) => Http.Json(h, State.StatusData());

    public async Task PostPrompt(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (!ok)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        if (body is JsonObject { } withPrompt && withPrompt["prompt"] is { } p && p is not JsonObject)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        if (body is not JsonObject request || request["prompt"] is not JsonObject prompt)
        {
            await Http.Json(h, Validator.Error("no_prompt", "No prompt provided", "No prompt provided", [], []), 400).ConfigureAwait(false);
            return;
        }

        JsonNode number;
        double sortNumber;
        if (Json.TryGetDouble(request["number"], out var given))
        {
            number = Json.Float(given);
            sortNumber = given;
        }
        else
        {
            lock (State.Gate)
            {
                var n = State.Counter++;
                if (request["front"] is JsonValue f && f.GetValueKind() == JsonValueKind.True)
                {
                    n = -n;
                }

                number = JsonValue.Create(n);
                sortNumber = n;
            }
        }

        string promptId;
        var idNode = request["prompt_id"];
        if (idNode is null)
        {
            promptId = Guid.NewGuid().ToString();
        }
        else
        {
            var text = Json.PyStr(idNode);
            if (idNode is not JsonValue || !Guid.TryParseExact(text, "D", out var g) || g.ToString() != text)
            {
                await Http.Json(h, Validator.Error("invalid_prompt_id", "prompt_id must be a valid UUID", "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one", [], []), 400).ConfigureAwait(false);
                return;
            }

            promptId = text;
        }

        var extraNode = request["extra_data"];
        if (extraNode is not null and not JsonObject)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        var outputs = new List<string>();
        var failure = context.Validator.Validate(prompt, request["partial_execution_targets"] as JsonArray, outputs, out var nodeErrors);
        if (failure is null && State.Faults.TakeFailNextValidation() is { } faultMessage)
        {
            var node = outputs[0];
            var error = new JsonObject { ["type"] = "custom_validation_failed", ["message"] = "Custom validation failed for node", ["details"] = faultMessage, ["extra_info"] = new JsonObject() };
            var errors = new JsonObject
            {
                [node] = new JsonObject
                {
                    ["errors"] = new JsonArray(error),
                    ["dependent_outputs"] = Json.StringArray([node]),
                    ["class_type"] = Json.GetString(prompt[node]!["class_type"]),
                },
            };
            failure = Validator.Error("prompt_outputs_failed_validation", "Prompt outputs failed validation", $"Custom validation failed for node: {faultMessage}", [], errors);
        }

        if (failure is not null)
        {
            await Http.Json(h, failure, 400).ConfigureAwait(false);
            return;
        }

        var extra = (JsonObject?)extraNode?.DeepClone() ?? [];
        if (request["client_id"] is { } clientId)
        {
            extra["client_id"] = clientId.DeepClone();
        }

        extra.Remove("api_key_comfy_org");
        extra.Remove("auth_token_comfy_org");
        var now = Json.NowMs();
        extra["create_time"] = now;
        var item = new QueueItem
        {
            Number = number,
            SortNumber = sortNumber,
            PromptId = promptId,
            Prompt = (JsonObject)prompt.DeepClone(),
            ExtraData = extra,
            Outputs = outputs,
            CreateTime = now,
        };
        State.Enqueue(item);
        await Http.Json(h, new JsonObject { ["prompt_id"] = promptId, ["number"] = number.DeepClone(), ["node_errors"] = nodeErrors }).ConfigureAwait(false);
    }

    public Task GetQueue(HttpContext h)
    {
        var running = new JsonArray();
        var pending = new JsonArray();
        lock (State.Gate)
        {
            if (State.Running is { } r)
            {
                running.Add(r.ToTuple());
            }

            foreach (var p in State.Pending)
            {
                pending.Add(p.ToTuple());
            }
        }

        return Http.Json(h, new JsonObject { ["queue_running"] = running, ["queue_pending"] = pending });
    }

    public Task PostQueue(HttpContext h) => ClearOrDelete(h, State.ClearPending, id => State.DeletePending(id));

    /// <summary>The body shared by POST /queue and POST /history: <c>{"clear": true}</c> and/or <c>{"delete": [ids]}</c>.</summary>
    private static async Task ClearOrDelete(HttpContext h, Action clear, Action<string> delete)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        // Like aiohttp + `"clear" in json_data`: lists and strings are accepted (no effect), anything else fails.
        if (!ok || body is JsonValue { } v && v.GetValueKind() != JsonValueKind.String || body is null)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        if (body is not JsonObject request)
        {
            h.Response.StatusCode = 200;
            return;
        }

        if (request["clear"] is JsonValue c && c.GetValueKind() == JsonValueKind.True)
        {
            clear();
        }

        if (request["delete"] is JsonArray ids)
        {
            foreach (var id in ids)
            {
                if (Json.GetString(id) is { } s)
                {
                    delete(s);
                }
            }
        }

        h.Response.StatusCode = 200;
    }

    public async Task Interrupt(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (ok && body is not null and not JsonObject)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        State.Interrupt(ok ? Json.GetString(body?["prompt_id"]) : null);
        h.Response.StatusCode = 200;
    }

    public async Task Free(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (!ok || body is not JsonObject request)
        {
            await Http.InternalError(h).ConfigureAwait(false);
            return;
        }

        if (request["free_memory"] is JsonValue f && f.GetValueKind() == JsonValueKind.True)
        {
            lock (State.Gate)
            {
                State.Cache.Clear();
            }
        }

        h.Response.StatusCode = 200;
    }

    public async Task GetHistory(HttpContext h)
    {
        int? maxItems = null;
        int? offset = null;
        if (h.Request.Query.ContainsKey("max_items"))
        {
            if (!int.TryParse(h.Request.Query["max_items"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m))
            {
                await Http.InternalError(h).ConfigureAwait(false);
                return;
            }

            maxItems = m;
        }

        if (h.Request.Query.ContainsKey("offset"))
        {
            if (!int.TryParse(h.Request.Query["offset"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o))
            {
                await Http.InternalError(h).ConfigureAwait(false);
                return;
            }

            offset = o;
        }

        var all = State.HistorySnapshot();
        var start = offset ?? (maxItems is { } mi ? Math.Max(0, all.Count - mi) : 0);
        if (start < 0)
        {
            start = Math.Max(0, all.Count + start);
        }

        var selected = all.Skip(start);
        if (maxItems is { } max)
        {
            selected = selected.Take(Math.Max(0, max));
        }

        var result = new JsonObject();
        foreach (var entry in selected)
        {
            result[entry.Item.PromptId] = entry.ToJson();
        }

        await Http.Json(h, result).ConfigureAwait(false);
    }

    public Task GetHistoryItem(HttpContext h)
    {
        var id = (string)h.Request.RouteValues["id"]!;
        var result = new JsonObject();
        if (State.GetHistory(id) is { } entry)
        {
            result[id] = entry.ToJson();
        }

        return Http.Json(h, result);
    }

    public Task PostHistory(HttpContext h) => ClearOrDelete(h, State.ClearHistory, id => State.DeleteHistory(id));
}
