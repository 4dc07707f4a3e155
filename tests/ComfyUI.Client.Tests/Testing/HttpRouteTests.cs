using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>HTTP routes of the fake compared with the real captures (status codes, JSON key sets, error bodies).</summary>
public sealed class HttpRouteTests : FakeServerTestBase
{
    private static JsonNode? Cap(string name) => JsonNode.Parse(Fixture.Http(name));

    private static JsonObject EmptyImageSave(int color = 3368652) => new()
    {
        ["1"] = new JsonObject { ["class_type"] = "EmptyImage", ["inputs"] = new JsonObject { ["width"] = 64, ["height"] = 48, ["batch_size"] = 1, ["color"] = color } },
        ["2"] = new JsonObject { ["class_type"] = "SaveImage", ["inputs"] = new JsonObject { ["images"] = new JsonArray("1", 0), ["filename_prefix"] = "sdk_test/empty" } },
    };

    [Theory]
    [InlineData("/prompt", "prompt_get.json")]
    [InlineData("/api/prompt", "prompt_get.json")]
    [InlineData("/queue", "queue_empty.json")]
    [InlineData("/history", "history_empty.json")]
    [InlineData("/features", "features.json")]
    [InlineData("/embeddings", "embeddings.json")]
    [InlineData("/extensions", "extensions.json")]
    [InlineData("/models", "models.json")]
    [InlineData("/models/checkpoints", "models_checkpoints.json")]
    [InlineData("/users", "users.json")]
    [InlineData("/object_info/EmptyImage", "object_info_EmptyImage.json")]
    [InlineData("/object_info/SdkTestProgressImage", "object_info_SdkTestProgressImage.json")]
    [InlineData("/api/object_info/DoesNotExist", "object_info_unknown_node.json")]
    [InlineData("/api/jobs", "jobs_empty.json")]
    [InlineData("/system_stats", "system_stats.json")]
    [InlineData("/api/system_stats", "api_system_stats.json")]
    public async Task Idle_routes_have_the_captured_shape(string path, string capture)
    {
        var (status, body) = await GetJsonAsync(path);
        Assert.Equal(200, status);
        var expected = Cap(capture);
        if (capture.StartsWith("object_info", StringComparison.Ordinal) || capture is "features.json" or "models.json" or "prompt_get.json" or "queue_empty.json")
        {
            Assert.Equal(expected!.ToJsonString(), body!.ToJsonString());
        }
        else
        {
            Assert.Equal(Capture.Shape(expected), Capture.Shape(body));
        }
    }

    [Theory]
    [InlineData("/experiment/models/checkpoints", 200, "[]")]
    [InlineData("/experiment/models/nope", 404, "")]
    [InlineData("/view_metadata/checkpoints?filename=x.safetensors", 404, "")]
    [InlineData("/i18n", 200, "{}")]
    [InlineData("/global_subgraphs/abc", 200, "null")]
    [InlineData("/workflow_templates", 200, "{}")]
    [InlineData("/api/assets", 503, "SERVICE_DISABLED")]
    [InlineData("/api/api/jobs", 200, "pagination")]
    [InlineData("/internal/files/bogus", 400, "Invalid directory type")]
    public async Task Small_routes_answer_like_the_real_server(string path, int status, string contains)
    {
        using var response = await Http.GetAsync(path, Ct).WaitAsync(Deadline, Ct);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(contains, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Object_info_has_the_real_entries_of_every_node()
    {
        await UploadAsync(Fixture.HttpBytes("upload_source.png"), "example.png");
        var (_, all) = await GetJsonAsync("/object_info");
        var real = Cap("object_info.json")!.AsObject();
        foreach (var (name, def) in all!.AsObject())
        {
            if (name == "LoadImage")
            {
                Assert.Equal(Capture.Shape(real[name]), Capture.Shape(def));
                continue;
            }

            Assert.Equal(real[name]!.ToJsonString(), def!.ToJsonString());
        }

        Assert.Equal(10, all.AsObject().Count);
    }

    [Fact]
    public async Task Not_found_and_bad_requests_look_like_the_real_server()
    {
        using (var r = await Http.GetAsync("/models/does_not_exist", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Empty(await r.Content.ReadAsByteArrayAsync(Ct));
        }

        using (var r = await Http.GetAsync("/view?filename=missing.png", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        using (var r = await Http.GetAsync("/view?filename=x.png&type=bogus", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }

        using (var r = await Http.GetAsync("/view?filename=..%2Fx.png", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }

        using (var r = await Http.GetAsync("/jobs", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        var (status, _) = await GetJsonAsync("/history?max_items=abc");
        Assert.Equal(500, status);
    }

    [Fact]
    public async Task Prompt_errors_have_the_captured_shapes()
    {
        var unknown = await PostJsonAsync("/prompt", """{"prompt":{"1":{"class_type":"DoesNotExist","inputs":{}}}}""");
        Assert.Equal(400, unknown.Status);
        Assert.Equal(Cap("prompt_error_unknown_class.json")!.ToJsonString(), unknown.Body!.ToJsonString());

        var noOutputs = await PostJsonAsync("/prompt", """{"prompt":{"1":{"class_type":"EmptyImage","inputs":{"width":8,"height":8,"batch_size":1,"color":0}}}}""");
        Assert.Equal(400, noOutputs.Status);
        Assert.Equal(Cap("prompt_error_no_outputs.json")!.ToJsonString(), noOutputs.Body!.ToJsonString());

        var noPrompt = await PostJsonAsync("/prompt", """{"client_id":"x"}""");
        Assert.Equal(400, noPrompt.Status);
        Assert.Equal(Cap("prompt_error_no_prompt_key.json")!.ToJsonString(), noPrompt.Body!.ToJsonString());

        var notJson = await PostJsonAsync("/prompt", "this is not json");
        Assert.Equal(500, notJson.Status);
        Assert.Equal(Fixture.Http("prompt_error_not_json.txt"), notJson.Text);

        var invalid = await PostJsonAsync("/prompt", """
            {"prompt":{"1":{"class_type":"EmptyImage","inputs":{"width":-5,"height":"abc","batch_size":1}},
                       "2":{"class_type":"SaveImage","inputs":{"images":["1",0],"filename_prefix":"x"}},
                       "3":{"class_type":"SaveImage","inputs":{"filename_prefix":"x"}}}}
            """);
        Assert.Equal(400, invalid.Status);
        Assert.Equal(Cap("prompt_error_invalid_inputs.json")!.ToJsonString(), invalid.Body!.ToJsonString());

        var badLink = await PostJsonAsync("/prompt", """{"prompt":{"2":{"class_type":"SaveImage","inputs":{"images":["99",0],"filename_prefix":"x"}}}}""");
        Assert.Equal(400, badLink.Status);
        Assert.Equal(Capture.Shape(Cap("prompt_error_bad_link.json")), Capture.Shape(badLink.Body));
        Assert.Equal(Cap("prompt_error_bad_link.json")!["error"]!.ToJsonString(), badLink.Body!["error"]!.ToJsonString());

        var combo = await PostJsonAsync("/prompt", """{"prompt":{"1":{"class_type":"SdkTestRaiseError","inputs":{"message":"m","exception_type":"Nope","seed":1}}}}""");
        Assert.Equal("value_not_in_list", combo.Body!["node_errors"]!["1"]!["errors"]![0]!["type"]!.GetValue<string>());

        var big = await PostJsonAsync("/prompt", """{"prompt":{"1":{"class_type":"SdkTestSlow","inputs":{"seconds":99999,"poll_seconds":0.05,"report_progress":true,"seed":1}}}}""");
        Assert.Equal("value_bigger_than_max", big.Body!["node_errors"]!["1"]!["errors"]![0]!["type"]!.GetValue<string>());

        var badId = await PostJsonAsync("/prompt", """{"prompt_id":"ABC","prompt":{}}""");
        Assert.Equal(400, badId.Status);
        Assert.Equal("invalid_prompt_id", badId.Body!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_prompt_echoes_number_as_float_and_keeps_the_given_id_and_extra_data()
    {
        var id = Guid.NewGuid().ToString();
        var hold = Server.Faults.HoldNode("1");
        var body = new JsonObject { ["prompt"] = EmptyImageSave(), ["prompt_id"] = id, ["number"] = 7, ["client_id"] = "c1", ["extra_data"] = new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = new JsonObject { ["id"] = "wf" } } } };
        var (status, json, text) = await PostJsonAsync("/prompt", body.ToJsonString());
        Assert.Equal(200, status);
        Assert.Equal(Capture.Shape(Cap("post_prompt_ok.json")), Capture.Shape(json));
        Assert.Contains("\"number\":7.0", text.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(id, json!["prompt_id"]!.GetValue<string>());
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        var second = await QueuePromptAsync(EmptyImageSave(1));
        var (_, queue) = await GetJsonAsync("/queue");
        static string TupleShape(JsonNode? q) => string.Join(";", q!.AsObject().Select(p => p.Key + "=" + string.Join(",", p.Value!.AsArray().Select(t => string.Join(",", t!.AsArray().Select((e, k) => k is 2 or 3 ? "obj" : Capture.Shape(e)))))));
        Assert.Equal(TupleShape(Cap("queue_running_and_pending.json")), TupleShape(queue));
        var extra = queue!["queue_running"]![0]![3]!;
        Assert.Equal("c1", extra["client_id"]!.GetValue<string>());
        Assert.True(extra["create_time"]!.GetValue<long>() > 0);
        var (_, busy) = await GetJsonAsync("/prompt");
        Assert.Equal(Cap("prompt_get_busy.json")!.ToJsonString(), busy!.ToJsonString());
        var (_, jobs) = await GetJsonAsync("/api/jobs");
        Assert.Equal(["pending", "in_progress"], jobs!["jobs"]!.AsArray().Select(j => j!["status"]!.GetValue<string>()));
        Assert.Equal("wf", jobs["jobs"]![1]!["workflow_id"]!.GetValue<string>());
        Assert.Equal(200, (await PostJsonAsync("/queue", $$"""{"delete":["{{second}}"]}""")).Status);
        Assert.Equal(Server.PendingPromptIds, []);
        hold.Release();
        await Server.WaitForPromptAsync(id, Ct).WaitAsync(Deadline, Ct);
    }

    [Fact]
    public async Task History_view_and_job_of_a_finished_prompt_have_the_captured_shapes()
    {
        var id = await QueuePromptAsync(EmptyImageSave());
        await Server.WaitForPromptAsync(id, Ct).WaitAsync(Deadline, Ct);
        var (_, entry) = await GetJsonAsync($"/history/{id}");
        Assert.Equal(Capture.ValuesShape(Cap("history_entry_empty_image.json")), Capture.ValuesShape(entry));
        var (_, job) = await GetJsonAsync($"/api/jobs/{id}");
        Assert.Equal(Capture.Shape(Cap("job_empty_image.json")), Capture.Shape(job));
        Assert.Equal(Capture.ValuesShape(Cap("history_entry_empty_image.json")), Capture.ValuesShape((await GetJsonAsync("/history?max_items=1")).Body));

        using var view = await Http.GetAsync("/api/view?filename=empty_00001_.png&subfolder=sdk_test&type=output", Ct);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal("image/png", view.Content.Headers.ContentType!.MediaType);
        Assert.Contains("empty_00001_.png", view.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        var png = ComfyUI.Client.Testing.Png.PngCodec.Decode(await view.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal((64, 48), (png.Width, png.Height));
        Assert.Equal([0x33, 0x66, 0xCC], png.Pixels[..3]);

        var second = await QueuePromptAsync(EmptyImageSave(1));
        await Server.WaitForPromptAsync(second, Ct).WaitAsync(Deadline, Ct);
        var (_, page) = await GetJsonAsync("/api/jobs?status=completed&limit=1");
        Assert.Equal(Capture.Shape(Cap("jobs_completed_limit_2.json")!["pagination"]), Capture.Shape(page!["pagination"]));
        Assert.True(page["pagination"]!["has_more"]!.GetValue<bool>());
        var (_, newest) = await GetJsonAsync("/history?max_items=1");
        Assert.Equal([second], newest!.AsObject().Select(p => p.Key));
        var (_, oldest) = await GetJsonAsync("/history?max_items=1&offset=0");
        Assert.Equal([id], oldest!.AsObject().Select(p => p.Key));
        Assert.Equal(200, (await PostJsonAsync("/history", $$"""{"delete":["{{id}}"]}""")).Status);
        Assert.Equal([second], Server.HistoryPromptIds);
        Assert.Equal(200, (await PostJsonAsync("/history", """{"clear":true}""")).Status);
        Assert.Empty(Server.HistoryPromptIds);
    }

    [Fact]
    public async Task Dependency_cycles_and_missing_class_type_match_the_real_server()
    {
        // Bodies recorded from the real ComfyUI 0.33.0 kit (compact JSON).
        var cycle = await PostJsonAsync("/prompt", """{"prompt":{"1":{"class_type":"ImageInvert","inputs":{"image":["2",0]}},"2":{"class_type":"ImageInvert","inputs":{"image":["1",0]}},"3":{"class_type":"SaveImage","inputs":{"images":["2",0],"filename_prefix":"x"}}}}""");
        Assert.Equal(400, cycle.Status);
        Assert.Equal(
            """{"error":{"type":"prompt_outputs_failed_validation","message":"Prompt outputs failed validation","details":"","extra_info":{}},"node_errors":{"2":{"errors":[{"type":"dependency_cycle","message":"Dependency cycle detected","details":"2 (ImageInvert) -> 1 (ImageInvert) -> 2 (ImageInvert)","extra_info":{"node_id":"2","cycle_nodes":["2","1"]}}],"dependent_outputs":["3"],"class_type":"ImageInvert"},"1":{"errors":[{"type":"dependency_cycle","message":"Dependency cycle detected","details":"2 (ImageInvert) -> 1 (ImageInvert) -> 2 (ImageInvert)","extra_info":{"node_id":"1","cycle_nodes":["2","1"]}}],"dependent_outputs":["3"],"class_type":"ImageInvert"}}}""",
            cycle.Text.Replace("\\u003E", ">", StringComparison.Ordinal));
        var noClass = await PostJsonAsync("/prompt", """{"prompt":{"1":{"inputs":{}}}}""");
        Assert.Equal(
            """{"error":{"type":"missing_node_type","message":"Node 'ID #1' has no class_type. The workflow may be corrupted or a custom node is missing.","details":"Node ID '#1'","extra_info":{"node_id":"1","class_type":null,"node_title":null}},"node_errors":{}}""",
            noClass.Text);
        Assert.Equal(500, (await PostJsonAsync("/prompt", """{"prompt":[1,2]}""")).Status);
    }

    [Fact]
    public async Task Jobs_cancel_many_validates_ids()
    {
        var bad = await PostJsonAsync("/api/jobs/cancel", """{"job_ids":["nope"]}""");
        Assert.Equal(400, bad.Status);
        Assert.Equal("""{"error":"job_ids contains invalid id(s)","invalid_ids":["nope"]}""", bad.Body!.ToJsonString());
        var notList = await PostJsonAsync("/api/jobs/cancel", """{"job_ids":"x"}""");
        Assert.Equal(400, notList.Status);
        var ok = await PostJsonAsync("/api/jobs/cancel", $$"""{"job_ids":["{{Guid.NewGuid()}}"]}""");
        Assert.Equal("""{"cancelled":false}""", ok.Body!.ToJsonString());
    }

    [Fact]
    public async Task Upload_renames_on_collision_reuses_identical_bytes_and_overwrites()
    {
        var source = Fixture.HttpBytes("upload_source.png");
        var first = await UploadAsync(source, "sdk_test_upload.png", "sdk_test", overwrite: true);
        Assert.Equal(Cap("upload_image.json")!.ToJsonString(), first.ToJsonString());
        var same = await UploadAsync(source, "sdk_test_upload.png", "sdk_test");
        Assert.Equal(Cap("upload_image_same_content_no_overwrite.json")!.ToJsonString(), same.ToJsonString());
        var other = source.ToArray();
        other[^20] ^= 0xFF;
        var renamed = await UploadAsync(other, "sdk_test_upload.png", "sdk_test");
        Assert.Equal(Cap("upload_image_other_content_no_overwrite.json")!.ToJsonString(), renamed.ToJsonString());
        var bytes = await Http.GetByteArrayAsync("/view?filename=sdk_test_upload.png&subfolder=sdk_test&type=input", Ct);
        Assert.Equal(Fixture.HttpBytes("view_uploaded.png"), bytes);
        var (_, info) = await GetJsonAsync("/object_info/LoadImage");
        Assert.Contains("sdk_test/sdk_test_upload.png", info!["LoadImage"]!["input"]!["required"]!["image"]![0]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Png_codec_round_trips_the_real_png()
    {
        var image = ComfyUI.Client.Testing.Png.PngCodec.Decode(Fixture.HttpBytes("upload_source.png"));
        var again = ComfyUI.Client.Testing.Png.PngCodec.Decode(ComfyUI.Client.Testing.Png.PngCodec.Encode(image));
        Assert.Equal((16, 16), (again.Width, again.Height));
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            Assert.Equal(image.Pixels[i..(i + 3)], again.Pixels[i..(i + 3)]);
        }

        var output = ComfyUI.Client.Testing.Png.PngCodec.Decode(Fixture.HttpBytes("view_output_empty_image.png"));
        Assert.Equal((64, 48), (output.Width, output.Height));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Userdata_round_trip_matches_the_captures()
    {
        var (status, _) = await GetJsonAsync("/userdata?dir=workflows");
        Assert.Equal(404, status);
        using (var content = new StringContent("""{"a":1}""", Encoding.UTF8, "application/json"))
        {
            using var r = await Http.PostAsync("/userdata/workflows%2Fsdk_test.json", content, Ct);
            Assert.Equal(Fixture.Http("userdata_post_workflow.json"), await r.Content.ReadAsStringAsync(Ct));
        }

        using (var content = new StringContent("{}", Encoding.UTF8, "application/json"))
        {
            using var r = await Http.PostAsync("/userdata/workflows%2Fsdk_test.json?overwrite=false", content, Ct);
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Equal(Fixture.Http("userdata_post_workflow_no_overwrite.txt"), await r.Content.ReadAsStringAsync(Ct));
        }

        using (var content = new StringContent("{}", Encoding.UTF8, "application/json"))
        {
            using var r = await Http.PostAsync("/api/userdata/workflows%2Fsdk_test2.json?full_info=true", content, Ct);
            Assert.Equal(Capture.Shape(Cap("userdata_post_workflow_full_info.json")), Capture.Shape(JsonNode.Parse(await r.Content.ReadAsStringAsync(Ct))));
        }

        Assert.Equal(Capture.Shape(Cap("userdata_workflows.json")), Capture.Shape((await GetJsonAsync("/userdata?dir=workflows")).Body));
        Assert.Equal(Capture.Shape(Cap("userdata_workflows_full_info.json")), Capture.Shape((await GetJsonAsync("/userdata?dir=workflows&recurse=true&full_info=true")).Body));
        Assert.Equal(Capture.Shape(Cap("userdata_v2_workflows.json")), Capture.Shape((await GetJsonAsync("/v2/userdata?path=workflows")).Body));
        Assert.Equal("""{"a":1}""", await Http.GetStringAsync("/userdata/workflows%2Fsdk_test.json", Ct));
        using (var r = await Http.PostAsync("/userdata/workflows%2Fsdk_test.json/move/workflows%2Fsdk_test_moved.json", null, Ct))
        {
            Assert.Equal(Fixture.Http("userdata_move_workflow.json"), await r.Content.ReadAsStringAsync(Ct));
        }

        using (var r = await Http.DeleteAsync("/userdata/workflows%2Fsdk_test_moved.json", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }

        using (var r = await Http.GetAsync("/userdata/workflows%2Fsdk_test_moved.json", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        Assert.Equal(200, (await PostJsonAsync("/settings", """{"Comfy.A":1}""")).Status);
        Assert.Equal("1", (await GetJsonAsync("/settings/Comfy.A")).Body!.ToJsonString());
    }
}
