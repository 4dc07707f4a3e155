using System.Globalization;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using Microsoft.AspNetCore.Http;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>/api/jobs (list, get, cancel one, cancel many).</summary>
internal sealed class JobRoutes
{
    private static readonly string[] Statuses = ["pending", "in_progress", "completed", "failed", "cancelled"];
    private readonly ServerContext context;

    public JobRoutes(ServerContext context)
    {
        this.context = context;
    }

    private ServerState State => context.State;

    private sealed record Job(JsonObject Json, long CreateTime, long Duration, string Status);

    private List<(Job Job, QueueItem Item, HistoryEntry? Entry)> AllJobs()
    {
        var list = new List<(Job, QueueItem, HistoryEntry?)>();
        QueueItem? running;
        List<QueueItem> pending;
        lock (State.Gate)
        {
            running = State.Running;
            pending = [.. State.Pending];
        }

        foreach (var p in pending)
        {
            list.Add((Basic(p, "pending"), p, null));
        }

        if (running is not null)
        {
            list.Add((Basic(running, "in_progress"), running, null));
        }

        foreach (var entry in State.HistorySnapshot())
        {
            var status = entry.StatusStr == "error" ? (entry.Interrupted ? "cancelled" : "failed") : "completed";
            var job = Basic(entry.Item, status);
            var json = job.Json;
            json.Remove("outputs_count");
            json.Remove("previewable_outputs_count");
            if (entry.StartTime is { } s)
            {
                json["execution_start_time"] = s;
            }

            if (entry.EndTime is { } e)
            {
                json["execution_end_time"] = e;
            }

            if (entry.ExecutionError is { } err)
            {
                json["execution_error"] = err.DeepClone();
            }

            var count = 0;
            var previewable = 0;
            JsonObject? preview = null;
            foreach (var (nodeId, output) in entry.Outputs)
            {
                if (output is not JsonObject o)
                {
                    continue;
                }

                foreach (var (kind, items) in o)
                {
                    if (items is not JsonArray arr)
                    {
                        continue;
                    }

                    foreach (var it in arr)
                    {
                        if (it is JsonObject file && kind is "images" or "video" or "audio" or "gifs")
                        {
                            count++;
                            previewable++;
                            if (preview is null || Json.GetString(file["type"]) == "output")
                            {
                                if (preview is null || Json.GetString(preview["type"]) != "output")
                                {
                                    preview = (JsonObject)file.DeepClone();
                                    preview["nodeId"] = nodeId;
                                    preview["mediaType"] = kind;
                                }
                            }
                        }
                    }
                }
            }

            json["outputs_count"] = count;
            json["previewable_outputs_count"] = previewable;
            if (preview is not null)
            {
                json["preview_output"] = preview;
            }

            if (Json.GetString(entry.Item.ExtraData["extra_pnginfo"]?["workflow"]?["id"]) is { } wf)
            {
                json["workflow_id"] = wf;
            }

            list.Add((job with { Duration = (entry.EndTime ?? 0) - (entry.StartTime ?? 0) }, entry.Item, entry));
        }

        return list;
    }

    private static Job Basic(QueueItem item, string status)
    {
        var json = new JsonObject
        {
            ["id"] = item.PromptId,
            ["status"] = status,
            ["priority"] = item.Number.DeepClone(),
            ["create_time"] = item.CreateTime,
            ["outputs_count"] = 0,
            ["previewable_outputs_count"] = 0,
        };
        if (Json.GetString(item.ExtraData["extra_pnginfo"]?["workflow"]?["id"]) is { } wf)
        {
            json["workflow_id"] = wf;
        }

        return new Job(json, item.CreateTime, 0, status);
    }

    public async Task List(HttpContext h)
    {
        var q = h.Request.Query;
        HashSet<string>? statuses = null;
        if (!string.IsNullOrEmpty(q["status"]))
        {
            statuses = [.. q["status"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var bad = statuses.FirstOrDefault(s => !Statuses.Contains(s));
            if (bad is not null)
            {
                await Http.Json(h, new JsonObject { ["error"] = $"Invalid status value(s): {bad}. Valid values: {string.Join(", ", Statuses)}" }, 400).ConfigureAwait(false);
                return;
            }
        }

        var sortBy = (q["sort_by"].ToString() is { Length: > 0 } sb ? sb : "created_at").ToLowerInvariant();
        if (sortBy is not ("created_at" or "execution_duration"))
        {
            await Http.Json(h, new JsonObject { ["error"] = "sort_by must be 'created_at' or 'execution_duration'" }, 400).ConfigureAwait(false);
            return;
        }

        var sortOrder = (q["sort_order"].ToString() is { Length: > 0 } so ? so : "desc").ToLowerInvariant();
        if (sortOrder is not ("asc" or "desc"))
        {
            await Http.Json(h, new JsonObject { ["error"] = "sort_order must be 'asc' or 'desc'" }, 400).ConfigureAwait(false);
            return;
        }

        int? limit = null;
        if (!string.IsNullOrEmpty(q["limit"]))
        {
            if (!int.TryParse(q["limit"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                await Http.Json(h, new JsonObject { ["error"] = "limit must be an integer" }, 400).ConfigureAwait(false);
                return;
            }

            if (l <= 0)
            {
                await Http.Json(h, new JsonObject { ["error"] = "limit must be a positive integer" }, 400).ConfigureAwait(false);
                return;
            }

            limit = l;
        }

        var offset = 0;
        if (!string.IsNullOrEmpty(q["offset"]))
        {
            if (!int.TryParse(q["offset"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset))
            {
                await Http.Json(h, new JsonObject { ["error"] = "offset must be an integer" }, 400).ConfigureAwait(false);
                return;
            }

            offset = Math.Max(0, offset);
        }

        var workflowId = q["workflow_id"].ToString();
        var jobs = AllJobs().Select(j => j.Job)
            .Where(j => statuses is null || statuses.Contains(j.Status))
            .Where(j => string.IsNullOrEmpty(workflowId) || Json.GetString(j.Json["workflow_id"]) == workflowId)
            .ToList();
        Func<Job, long> key = sortBy == "execution_duration" ? j => j.Duration : j => j.CreateTime;
        jobs = sortOrder == "asc" ? [.. jobs.OrderBy(key)] : [.. jobs.OrderByDescending(key)];
        var page = jobs.Skip(offset);
        if (limit is { } lim)
        {
            page = page.Take(lim);
        }

        var array = new JsonArray();
        foreach (var j in page)
        {
            array.Add(j.Json.DeepClone());
        }

        await Http.Json(h, new JsonObject
        {
            ["jobs"] = array,
            ["pagination"] = new JsonObject
            {
                ["offset"] = offset,
                ["limit"] = limit,
                ["total"] = jobs.Count,
                ["has_more"] = offset + array.Count < jobs.Count,
            },
        }).ConfigureAwait(false);
    }

    public Task Get(HttpContext h)
    {
        var id = (string)h.Request.RouteValues["id"]!;
        var found = AllJobs().FirstOrDefault(j => j.Item.PromptId == id);
        if (found.Job is null)
        {
            return Http.Json(h, new JsonObject { ["error"] = "Job not found" }, 404);
        }

        var json = (JsonObject)found.Job.Json.DeepClone();
        if (found.Entry is { } entry)
        {
            json["outputs"] = entry.Outputs.DeepClone();
            var history = entry.ToJson();
            json["execution_status"] = history["status"]!.DeepClone();
            json["workflow"] = new JsonObject { ["prompt"] = entry.Item.Prompt.DeepClone(), ["extra_data"] = entry.Item.ExtraData.DeepClone() };
        }

        return Http.Json(h, json);
    }

    private bool Cancel(string id) => State.Interrupt(id) || State.DeletePending(id);

    public Task CancelOne(HttpContext h)
    {
        var id = (string)h.Request.RouteValues["id"]!;
        return Http.Json(h, new JsonObject { ["cancelled"] = Cancel(id) });
    }

    public async Task CancelMany(HttpContext h)
    {
        var (ok, body) = await Http.ReadJson(h).ConfigureAwait(false);
        if (!ok || body is not JsonObject request)
        {
            await Http.Json(h, new JsonObject { ["error"] = "Request body must be valid JSON" }, 400).ConfigureAwait(false);
            return;
        }

        if (request["job_ids"] is not JsonArray ids)
        {
            await Http.Json(h, new JsonObject { ["error"] = "job_ids must be a list" }, 400).ConfigureAwait(false);
            return;
        }

        var invalid = ids.Where(i => Json.GetString(i) is not { } s || !Guid.TryParseExact(s, "D", out var g) || g.ToString() != s).ToList();
        if (invalid.Count > 0)
        {
            await Http.Json(h, new JsonObject { ["error"] = "job_ids contains invalid id(s)", ["invalid_ids"] = new JsonArray([.. invalid.Select(i => i?.DeepClone())]) }, 400).ConfigureAwait(false);
            return;
        }

        var any = false;
        foreach (var id in ids)
        {
            any |= Cancel(Json.GetString(id)!);
        }

        await Http.Json(h, new JsonObject { ["cancelled"] = any }).ConfigureAwait(false);
    }
}
