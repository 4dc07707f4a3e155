using System.Net;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Discovery;

public sealed class DiscoveryClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Serve(MockServer mock, string path, string body, int status = 200, string contentType = "application/json") =>
        mock.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));

    private static async Task<IReadOnlyDictionary<string, NodeDefinition>> RealObjectInfoAsync()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/object_info", Fixture.Http("object_info.json"));
        return await mock.Client.Discovery.GetObjectInfoAsync(Ct);
    }

    [Fact]
    public async Task Object_info_reads_all_861_real_nodes()
    {
        var nodes = await RealObjectInfoAsync();

        Assert.Equal(861, nodes.Count);
        Assert.All(nodes, pair => Assert.Equal(pair.Key, pair.Value.Name));
        Assert.All(nodes.Values, node => Assert.False(string.IsNullOrEmpty(node.DisplayName)));
    }

    [Fact]
    public async Task Object_info_is_a_consistent_dictionary_built_on_demand_and_safe_to_share()
    {
        var nodes = await RealObjectInfoAsync();
        var keys = nodes.Keys.ToArray();

        // The keys keep the server's order; the pairs, the values and lookups agree and hand out the same instances.
        Assert.Equal(JsonDocument.Parse(Fixture.Http("object_info.json")).RootElement.EnumerateObject().Select(p => p.Name), keys);
        var fromThreads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => keys.Select(k => nodes[k]).ToArray(), Ct)));
        Assert.All(fromThreads, found => Assert.Equal(fromThreads[0], found, ReferenceEqualityComparer.Instance));
        Assert.Equal(fromThreads[0], nodes.Values, ReferenceEqualityComparer.Instance);
        Assert.Equal(fromThreads[0], nodes.Select(pair => pair.Value), ReferenceEqualityComparer.Instance);
        Assert.True(nodes.ContainsKey("KSampler"));
        Assert.False(nodes.ContainsKey("ksampler"));
        Assert.False(nodes.TryGetValue("NoSuchNode", out _));
        var missing = Assert.Throws<KeyNotFoundException>(() => nodes["NoSuchNode"]);
        Assert.Contains("NoSuchNode", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KSampler_seed_max_is_exactly_2_pow_64_minus_1_and_legacy_combo_has_choices()
    {
        var ksampler = (await RealObjectInfoAsync())["KSampler"];

        var seed = ksampler.RequiredInputs["seed"];
        Assert.Equal(InputKind.Int, seed.Kind);
        Assert.Equal(18446744073709551615m, seed.Max);
        Assert.Equal(0m, seed.Min);
        Assert.Equal(0, seed.Default!.Value.GetInt32());
        var cfg = ksampler.RequiredInputs["cfg"];
        Assert.Equal(InputKind.Float, cfg.Kind);
        Assert.Equal(0.1m, cfg.Step);
        Assert.Equal(0.01m, cfg.Round);
        var sampler = ksampler.RequiredInputs["sampler_name"];
        Assert.Equal(InputKind.Combo, sampler.Kind);
        Assert.Equal("COMBO", sampler.Type);
        Assert.Contains("euler", sampler.Choices);
        Assert.NotNull(sampler.Tooltip);
        Assert.Equal(InputKind.Link, ksampler.RequiredInputs["model"].Kind);
        Assert.Equal("MODEL", ksampler.RequiredInputs["model"].Type);
        Assert.Equal(["LATENT"], ksampler.Output);
        Assert.Equal("model/sampling", ksampler.Category);
        Assert.Equal("nodes", ksampler.PythonModule);
        Assert.Equal("model", ksampler.InputOrder["required"][0]);
        Assert.Contains("sampler", ksampler.SearchAliases);
    }

    [Fact]
    public async Task Negative_huge_min_is_read_exactly()
    {
        var trim = (await RealObjectInfoAsync())["TrimAudioDuration"];

        Assert.Equal(-18446744073709551615m, trim.RequiredInputs.Concat(trim.OptionalInputs).Single(pair => pair.Key == "start_index").Value.Min);
    }

    [Fact]
    public async Task V3_node_has_new_combo_form_null_aliases_and_extension_data()
    {
        var nodes = await RealObjectInfoAsync();
        var node = nodes["ImageScaleToMaxDimension"];

        var method = node.RequiredInputs["upscale_method"];
        Assert.Equal(InputKind.Combo, method.Kind);
        Assert.Equal(["area", "lanczos", "bilinear", "nearest-exact", "bilinear", "bicubic"], method.Choices);
        Assert.False(method.Multiselect);
        Assert.Equal(16384m, node.RequiredInputs["largest_size"].Max);
        Assert.Empty(node.SearchAliases);
        Assert.True(node.ExtensionData.ContainsKey("price_badge"));
        Assert.Equal(JsonValueKind.Object, method.Options!.Value.ValueKind);
        Assert.Equal(JsonValueKind.Array, method.Raw.ValueKind);
    }

    [Fact]
    public async Task Display_name_falls_back_to_name_hidden_inputs_of_both_forms_and_image_upload()
    {
        var nodes = await RealObjectInfoAsync();

        Assert.Equal("LatentAdd", nodes["LatentAdd"].DisplayName);
        Assert.Equal("PROMPT", nodes["SaveImage"].HiddenInputs["prompt"]);
        Assert.Equal("EXTRA_PNGINFO", nodes["MaskPreview"].HiddenInputs["extra_pnginfo"]);
        var image = nodes["LoadImage"].RequiredInputs["image"];
        Assert.True(image.ImageUpload);
        Assert.Equal(InputKind.Combo, image.Kind);
        Assert.True(nodes["SaveImage"].OutputNode);
    }

    [Fact]
    public async Task Odd_shapes_and_python_nan_never_fail_the_whole_parse()
    {
        using var mock = new MockServer();
        const string body = """
            {"Odd": {"name": "Odd", "display_name": null, "input": {"required": {
                "a": ["FLOAT", {"min": NaN, "max": Infinity, "default": -Infinity, "tooltip": "NaN in \"text\" Infinity"}],
                "b": 42, "c": [], "d": [{"x": 1}], "e": ["INT", "not an object"], "f": ["INT", {"max": 1e400}]},
              "hidden": {"h": {"weird": true}}},
              "output": ["IMAGE", ["a", "b"]], "output_is_list": [false, true], "search_aliases": null, "custom_key": {"x": 1}},
             "NotAnObject": [1, 2]}
            """;
        Serve(mock, "/api/object_info", body);

        var nodes = await mock.Client.Discovery.GetObjectInfoAsync(Ct);

        var odd = nodes["Odd"];
        Assert.Equal("Odd", odd.DisplayName);
        var a = odd.RequiredInputs["a"];
        Assert.Equal(InputKind.Float, a.Kind);
        Assert.Null(a.Min);
        Assert.Null(a.Max);
        Assert.Equal("-Infinity", a.Default!.Value.GetString());
        Assert.Equal("NaN in \"text\" Infinity", a.Tooltip);
        Assert.Equal(InputKind.Other, odd.RequiredInputs["b"].Kind);
        Assert.Equal(InputKind.Other, odd.RequiredInputs["c"].Kind);
        Assert.Equal(InputKind.Other, odd.RequiredInputs["d"].Kind);
        Assert.Equal(InputKind.Int, odd.RequiredInputs["e"].Kind);
        Assert.Null(odd.RequiredInputs["f"].Max);
        Assert.Equal("{\"weird\": true}", odd.HiddenInputs["h"]);
        Assert.Equal(["IMAGE", "[\"a\", \"b\"]"], odd.Output);
        Assert.Equal([false, true], odd.OutputIsList);
        Assert.True(odd.ExtensionData.ContainsKey("custom_key"));
        Assert.Equal(JsonValueKind.Array, nodes["NotAnObject"].ExtensionData[""].ValueKind);
    }

    [Fact]
    public async Task Node_definition_of_one_class_and_unknown_class()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/object_info/EmptyImage", Fixture.Http("object_info_EmptyImage.json"));
        Serve(mock, "/api/object_info/DoesNotExist", Fixture.Http("object_info_unknown_node.json"));

        var node = await mock.Client.Discovery.GetNodeDefinitionAsync("EmptyImage", Ct);
        Assert.Equal("EmptyImage", node!.Name);
        Assert.Equal(InputKind.Int, node.RequiredInputs["width"].Kind);
        Assert.Null(await mock.Client.Discovery.GetNodeDefinitionAsync("DoesNotExist", Ct));
    }

    [Fact]
    public async Task Models_and_unknown_folder()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/models", Fixture.Http("models.json"));
        Serve(mock, "/api/models/checkpoints", Fixture.Http("models_checkpoints.json"));
        Serve(mock, "/api/models/does_not_exist", "", 404, "text/plain");

        Assert.Contains("checkpoints", await mock.Client.Discovery.GetModelFoldersAsync(Ct));
        Assert.Empty((await mock.Client.Discovery.GetModelsAsync("checkpoints", Ct))!);
        Assert.Null(await mock.Client.Discovery.GetModelsAsync("does_not_exist", Ct));
    }

    [Fact]
    public async Task Experiment_models_folders_files_and_preview()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/experiment/models", """[{"name": "checkpoints", "folders": ["/m/checkpoints"], "extensions": [".safetensors"]}]""");
        Serve(mock, "/api/experiment/models/loras", """[{"name": "sub\\a b.safetensors", "pathIndex": 1, "modified": 1755851234.12, "created": 1755851200.5, "size": 6938078334}]""");
        Serve(mock, "/api/experiment/models/nope", "", 404);
        mock.Server.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/api/experiment/models/preview/loras/1/*")).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "image/webp").WithBody([1, 2, 3]));
        Serve(mock, "/api/experiment/models/preview/loras/0/none.safetensors", "", 404);

        var folder = Assert.Single(await mock.Client.Discovery.GetModelFolderInfosAsync(Ct));
        Assert.Equal([".safetensors"], folder.Extensions);
        var file = Assert.Single((await mock.Client.Discovery.GetModelFileInfosAsync("loras", Ct))!);
        Assert.Equal(1, file.PathIndex);
        Assert.Equal(6938078334, file.Size);
        Assert.Equal(1755851234.12, file.Modified);
        Assert.Null(await mock.Client.Discovery.GetModelFileInfosAsync("nope", Ct));
        await using (var preview = await mock.Client.Discovery.OpenModelPreviewAsync("loras", 1, file.Name, Ct))
        {
            using var copy = new MemoryStream();
            await preview!.CopyToAsync(copy, Ct);
            Assert.Equal([1, 2, 3], copy.ToArray());
        }

        var previewRequest = mock.Server.LogEntries[^1].RequestMessage!;
        Assert.Equal("/api/experiment/models/preview/loras/1/sub\\a b.safetensors", previewRequest.Path);
        Assert.Contains("/loras/1/sub%5Ca", previewRequest.Url, StringComparison.Ordinal);

        Assert.Null(await mock.Client.Discovery.OpenModelPreviewAsync("loras", 0, "none.safetensors", Ct));
    }

    [Fact]
    public async Task Embeddings_extensions_templates_i18n()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/embeddings", Fixture.Http("embeddings.json"));
        Serve(mock, "/api/extensions", Fixture.Http("extensions.json"));
        Serve(mock, "/api/workflow_templates", """{"my-pack": ["a", "b"]}""");
        Serve(mock, "/api/i18n", """{"en": {"nodeDefs": {}}}""");

        Assert.NotNull(await mock.Client.Discovery.GetEmbeddingsAsync(Ct));
        Assert.Equal(JsonDocument.Parse(Fixture.Http("extensions.json")).RootElement.GetArrayLength(), (await mock.Client.Discovery.GetExtensionsAsync(Ct)).Count);
        Assert.Equal(["a", "b"], (await mock.Client.Discovery.GetWorkflowTemplatesAsync(Ct))["my-pack"]);
        Assert.True((await mock.Client.Discovery.GetTranslationsAsync(Ct)).TryGetProperty("en", out _));
    }

    [Fact]
    public async Task Features_real_and_float_upload_size()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/features", Fixture.Http("features.json"));

        var features = await mock.Client.Discovery.GetFeaturesAsync(Ct);

        Assert.True(features.SupportsPreviewMetadata);
        Assert.Equal(104857600, features.MaxUploadSize);
        Assert.False(features.Assets);
        Assert.True(features.Raw.ContainsKey("extension"));
        Assert.True(features.Extension!.Value.TryGetProperty("manager", out _));

        mock.Server.Reset();
        Serve(mock, "/api/features", """{"max_upload_size": 209715200.0, "my_flag": "x"}""");
        var floaty = await mock.Client.Discovery.GetFeaturesAsync(Ct);
        Assert.Equal(209715200, floaty.MaxUploadSize);
        Assert.Null(floaty.SupportsPreviewMetadata);
        Assert.Equal("x", floaty.Raw["my_flag"].GetString());
    }

    [Theory]
    [InlineData("system_stats.json")]
    [InlineData("api_system_stats.json")]
    public async Task System_stats_real(string fixture)
    {
        using var mock = new MockServer();
        Serve(mock, "/api/system_stats", Fixture.Http(fixture));

        var stats = await mock.Client.Discovery.GetSystemStatsAsync(Ct);

        Assert.Equal("0.33.0", stats.System.ComfyuiVersion);
        Assert.Equal("linux", stats.System.Os);
        Assert.NotEmpty(stats.System.Argv);
        var device = Assert.Single(stats.Devices);
        Assert.Equal("cpu", device.Type);
        Assert.Null(device.Index);
        Assert.True(stats.System.RamTotal > 0);
    }

    [Fact]
    public async Task View_metadata_and_missing()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/view_metadata/loras", """{"ss_network_dim": "16"}""");

        var metadata = await mock.Client.Discovery.GetModelMetadataAsync("loras", "a b.safetensors", Ct);

        Assert.Equal("16", metadata!["ss_network_dim"].GetString());
        Assert.Equal("a b.safetensors", mock.SingleRequest.RequestMessage!.Query!["filename"].ToString());
        mock.Server.Reset();
        Serve(mock, "/api/view_metadata/loras", "", 404);
        Assert.Null(await mock.Client.Discovery.GetModelMetadataAsync("loras", "x.safetensors", Ct));
    }

    [Fact]
    public async Task Node_replacements_typed()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/node_replacements", """
            {"ImageScaleBy": [{"new_node_id": "ResizeImageMaskNode", "old_node_id": "ImageScaleBy", "old_widget_ids": ["upscale_method", "scale_by"],
              "input_mapping": [{"new_id": "input", "old_id": "image"}, {"new_id": "resize_type", "set_value": "scale by multiplier"}],
              "output_mapping": [{"new_idx": 0, "old_idx": 0}]},
             {"new_node_id": "X", "old_node_id": "ImageScaleBy", "old_widget_ids": null, "input_mapping": null, "output_mapping": null}]}
            """);

        var replacements = await mock.Client.Discovery.GetNodeReplacementsAsync(Ct);

        var first = replacements["ImageScaleBy"][0];
        Assert.Equal("ResizeImageMaskNode", first.NewNodeId);
        Assert.Equal("image", first.InputMapping![0].OldId);
        Assert.Equal("scale by multiplier", first.InputMapping[1].SetValue!.Value.GetString());
        Assert.Equal(0, first.OutputMapping![0].NewIdx);
        Assert.Null(replacements["ImageScaleBy"][1].InputMapping);
    }

    [Fact]
    public async Task Global_subgraphs_list_one_and_null()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/global_subgraphs", """{"abc": {"source": "templates", "name": "Blur", "info": {"node_pack": "comfyui"}}}""");
        Serve(mock, "/api/global_subgraphs/abc", """{"source": "templates", "name": "Blur", "info": {"node_pack": "comfyui"}, "data": "{\"nodes\": []}"}""");
        Serve(mock, "/api/global_subgraphs/nope", "null");

        Assert.Equal("Blur", (await mock.Client.Discovery.ListGlobalSubgraphsAsync(Ct))["abc"].Name);
        Assert.Equal("{\"nodes\": []}", (await mock.Client.Discovery.GetGlobalSubgraphAsync("abc", Ct))!.Data);
        Assert.Null(await mock.Client.Discovery.GetGlobalSubgraphAsync("nope", Ct));
    }

    [Fact]
    public async Task Malformed_object_info_is_a_protocol_exception()
    {
        using var mock = new MockServer();
        Serve(mock, "/api/object_info", "{\"KSampler\": {\"name\": ");

        var error = await Assert.ThrowsAsync<ComfyUIProtocolException>(() => mock.Client.Discovery.GetObjectInfoAsync(Ct));

        Assert.IsType<JsonException>(error.InnerException, exactMatch: false);
    }
}
