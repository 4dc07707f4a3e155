using System.Text;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Workflows;

public sealed class WorkflowTests
{
    private const string Sdxl = """
        {
          "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}, "_meta": {"title": "Load Checkpoint"}},
          "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
          "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}, "_meta": {"title": "Positive"}},
          "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}, "_meta": {"title": "Negative"}},
          "3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551615, "steps": 20, "cfg": 7.5, "sampler_name": "euler",
                "scheduler": "normal", "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
          "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
          "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}, "_meta": {"title": "Save"}}
        }
        """;

    public static TheoryData<string> CapturedPrompts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Fixture.Directory, "ws"), "*.prompt.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CapturedPrompts))]
    public async Task Loads_every_captured_prompt(string file)
    {
        var captured = JsonNode.Parse(await File.ReadAllTextAsync(Fixture.WsPath(file), TestContext.Current.CancellationToken))!["prompt"]!.AsObject();

        var fromText = Workflow.Parse(captured.ToJsonString());
        var fromEnvelope = await Workflow.LoadAsync(Fixture.WsPath(file), TestContext.Current.CancellationToken);

        Assert.Equal(captured.Count, fromText.Count);
        Assert.True(JsonNode.DeepEquals(captured, fromText.ToJsonObject()));
        Assert.True(JsonNode.DeepEquals(captured, fromEnvelope.ToJsonObject()));
        Assert.Equal(captured.ToJsonString(), fromText.ToJson());
        Assert.All(fromText.Nodes, node => Assert.False(string.IsNullOrEmpty(node.ClassType)));
    }

    [Fact]
    public void Load_from_file_and_stream()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wf-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Sdxl);
        try
        {
            var workflow = Workflow.Load(path);
            Assert.Equal(7, workflow.Count);
            Assert.Equal(Sdxl, workflow.ToJson());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Load_from_a_stream_with_a_byte_order_mark()
    {
        using var stream = new MemoryStream([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Sdxl)]);

        var workflow = await Workflow.LoadAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal("KSampler", workflow.Node("3").ClassType);
        Assert.Equal(Sdxl, workflow.ToJson());
    }

    [Fact]
    public void Without_a_schema_the_UI_format_is_refused_saying_how_to_convert_or_export_it()
    {
        const string ui = """{"last_node_id": 9, "last_link_id": 9, "nodes": [{"id": 3, "type": "KSampler"}], "links": [[1, 4, 0, 3, 0, "MODEL"]], "version": 0.4}""";

        var ex = Assert.Throws<FormatException>(() => Workflow.Parse(ui));

        Assert.Contains("UI (editor) format", ex.Message);
        Assert.Contains("Export (API)", ex.Message);
        Assert.Contains("Workflow.LoadAsync(path, client)", ex.Message);
        Assert.Contains("comfyui convert", ex.Message);
    }

    [Fact]
    public void Load_error_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wf-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"nodes": [], "links": []}""");
        try
        {
            var ex = Assert.Throws<FormatException>(() => Workflow.Load(path));
            Assert.StartsWith(path, ex.Message);
            Assert.Contains("UI (editor) format", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("[1, 2]", "must be a JSON object of nodes")]
    [InlineData("\"text\"", "but the JSON is a string")]
    [InlineData("{\"1\": 5}", "Node '1' must be a JSON object")]
    [InlineData("{\"1\": {\"inputs\": {}}}", "Node '1' has no \"class_type\"")]
    [InlineData("{\"1\": {\"class_type\": 3, \"inputs\": {}}}", "\"class_type\" must be a non-empty string")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": [1]}}", "Node '1' (X): \"inputs\" must be a JSON object, but it is an array")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": {}, \"_meta\": \"t\"}}", "\"_meta\" must be a JSON object")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": {}", "not valid JSON")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": {}}, \"1\": {\"class_type\": \"Y\", \"inputs\": {}}}", "1")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": {\"a\": 1, \"a\": 2}}}", "a")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": {}} // comment", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public void Rejects_malformed_input_naming_the_problem(string json, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => Workflow.Parse(json));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Finds_nodes_by_id_type_and_title()
    {
        var workflow = Workflow.Parse(Sdxl);

        Assert.Equal("KSampler", workflow.Node("3").ClassType);
        Assert.True(workflow.TryGetNode("9", out var save));
        Assert.Equal("Save", save.Title);
        Assert.False(workflow.TryGetNode("42", out _));
        Assert.Equal(["6", "7"], workflow.NodesOfType("CLIPTextEncode").Select(n => n.Id));
        Assert.Empty(workflow.NodesOfType("clipTextEncode"));
        Assert.Equal("6", workflow.NodeByTitle("Positive").Id);
        Assert.Single(workflow.NodesByTitle("Negative"));
        Assert.Null(workflow.Node("5").Title);
        Assert.Equal(["4", "5", "6", "7", "3", "8", "9"], workflow.Ids);
    }

    [Fact]
    public void Missing_node_errors_name_the_id_and_the_ids_present()
    {
        var workflow = Workflow.Parse(Sdxl);

        var ex = Assert.Throws<KeyNotFoundException>(() => workflow.Node("42"));
        Assert.Contains("'42'", ex.Message);
        Assert.Contains("'4', '5', '6', '7', '3', '8', '9'", ex.Message);

        var byTitle = Assert.Throws<KeyNotFoundException>(() => workflow.NodeByTitle("Nope"));
        Assert.Contains("'Positive'", byTitle.Message);

        workflow.Node("5").SetTitle("Positive");
        var twice = Assert.Throws<InvalidOperationException>(() => workflow.NodeByTitle("Positive"));
        Assert.Contains("'5', '6'", twice.Message);
    }

    [Fact]
    public void Reads_typed_inputs()
    {
        var workflow = Workflow.Parse(Sdxl);
        var sampler = workflow.Node("3");

        Assert.Equal(ulong.MaxValue, sampler.GetInput<ulong>("seed"));
        Assert.Equal(20L, sampler.GetInput<long>("steps"));
        Assert.Equal(20, sampler.GetInput<int>("steps"));
        Assert.Equal(7.5, sampler.GetInput<double>("cfg"));
        Assert.Equal(7.5m, sampler.GetInput<decimal>("cfg"));
        Assert.Equal("euler", sampler.GetInput<string>("sampler_name"));
        Assert.False(sampler.TryGetInput<long>("seed", out _));
        Assert.False(sampler.TryGetInput<string>("steps", out _));
        Assert.True(sampler.TryGetInput<double>("denoise", out var denoise));
        Assert.Equal(1.0, denoise);
        Assert.Equal("[\"4\",0]", sampler.GetInputNode("model")!.ToJsonString());

        var missing = Assert.Throws<KeyNotFoundException>(() => sampler.GetInput<long>("nope"));
        Assert.Contains("seed, steps", missing.Message);
        var link = Assert.Throws<InvalidOperationException>(() => sampler.GetInput<long>("model"));
        Assert.Contains("a link to node '4'", link.Message);
        Assert.Throws<NotSupportedException>(() => sampler.GetInput<Guid>("steps"));
    }

    [Fact]
    public void Booleans_and_sets_round_trip()
    {
        var workflow = new Workflow();
        var node = workflow.AddNode("X")
            .Set("flag", true)
            .Set("i", 42)
            .Set("l", long.MinValue)
            .Set("d", 0.1)
            .Set("m", 1.10m)
            .Set("s", "héllo \"quoted\"")
            .Set("raw", new JsonObject { ["a"] = 1 });

        Assert.True(node.GetInput<bool>("flag"));
        Assert.Equal(42, node.GetInput<int>("i"));
        Assert.Equal(long.MinValue, node.GetInput<long>("l"));
        Assert.Equal(0.1, node.GetInput<double>("d"));
        Assert.Equal(1.10m, node.GetInput<decimal>("m"));
        Assert.Equal("héllo \"quoted\"", node.GetInput<string>("s"));
        Assert.Equal("""{"a":1}""", node.GetInputNode("raw")!.ToJsonString());
        Assert.Throws<ArgumentOutOfRangeException>(() => node.Set("nan", double.NaN));

        var reparsed = Workflow.Parse(workflow.ToJson()).Node("1");
        Assert.Equal("1.10", reparsed.GetInputNode("m")!.ToJsonString());
        Assert.Equal(long.MinValue, reparsed.GetInput<long>("l"));
        Assert.Equal(0.1, reparsed.GetInput<double>("d"));
    }

    [Fact]
    public void Max_ulong_seed_is_written_exactly()
    {
        var workflow = Workflow.Parse(Sdxl);

        workflow.Node("3").Set("seed", 18446744073709551615UL).Set("steps", 30);

        var json = workflow.ToJson();
        Assert.Contains("\"seed\": 18446744073709551615,", json);
        Assert.Contains("18446744073709551615", workflow.ToJsonObject().ToJsonString());
        Assert.Equal(ulong.MaxValue, Workflow.Parse(json).Node("3").GetInput<ulong>("seed"));
        Assert.Equal(30, Workflow.Parse(json).Node("3").GetInput<int>("steps"));
    }

    [Fact]
    public void Links_are_written_with_string_ids()
    {
        var workflow = Workflow.Parse(Sdxl);
        var sampler = workflow.Node("3");

        sampler.SetLink("model", "12", 1).SetLink("latent_image", workflow.Node("5"));

        Assert.Equal("[\"12\",1]", sampler.GetInputNode("model")!.ToJsonString());
        Assert.Equal("[\"5\",0]", sampler.GetInputNode("latent_image")!.ToJsonString());
        Assert.True(sampler.IsLink("model"));
        Assert.False(sampler.IsLink("seed"));
        Assert.False(sampler.IsLink("absent"));
        Assert.Equal(("12", 1), sampler.GetLink("model"));
        Assert.Throws<InvalidOperationException>(() => sampler.GetLink("seed"));
        Assert.Throws<KeyNotFoundException>(() => sampler.GetLink("absent"));
    }

    [Fact]
    public void A_numeric_first_element_is_not_a_link()
    {
        var workflow = Workflow.Parse("""{"1": {"class_type": "X", "inputs": {"a": [4, 0]}}}""");

        Assert.False(workflow.Node("1").IsLink("a"));
    }

    [Fact]
    public void Literal_lists_are_wrapped_in___value__()
    {
        var workflow = new Workflow();
        var node = workflow.AddNode("X")
            .SetList("names", ["a", "b"])
            .SetList("numbers", [1.5, 2])
            .SetList("raw", new JsonArray(1, "two"));

        var inputs = workflow.ToJsonObject()["1"]!["inputs"]!;
        Assert.Equal("""{"__value__":["a","b"]}""", inputs["names"]!.ToJsonString());
        Assert.Equal("""{"__value__":[1.5,2]}""", inputs["numbers"]!.ToJsonString());
        Assert.Equal("""{"__value__":[1,"two"]}""", inputs["raw"]!.ToJsonString());
        Assert.False(node.IsLink("names"));
        Assert.True(node.TryGetList("names", out var names));
        Assert.Equal("""["a","b"]""", names.ToJsonString());
    }

    [Fact]
    public void Removes_inputs()
    {
        var workflow = Workflow.Parse(Sdxl);

        Assert.True(workflow.Node("3").RemoveInput("denoise"));
        Assert.False(workflow.Node("3").RemoveInput("denoise"));
        Assert.False(workflow.Node("3").HasInput("denoise"));
        Assert.DoesNotContain("denoise", workflow.ToJson());
    }

    [Fact]
    public void Adds_nodes_with_the_next_numeric_id_or_a_given_one()
    {
        var workflow = Workflow.Parse(Sdxl);

        var preview = workflow.AddNode("PreviewImage", title: "Preview").SetLink("images", "8", 0);
        var named = workflow.AddNode("Note", id: "12:3");

        Assert.Equal("10", preview.Id);
        Assert.Equal("Preview", workflow.NodeByTitle("Preview").Title);
        Assert.Equal("12:3", named.Id);
        Assert.Equal("11", workflow.AddNode("Y").Id);
        Assert.Throws<ArgumentException>(() => workflow.AddNode("Z", id: "3"));
        Assert.Equal(
            """{"inputs":{"images":["8",0]},"class_type":"PreviewImage","_meta":{"title":"Preview"}}""",
            workflow.ToJsonObject()["10"]!.ToJsonString());
    }

    [Fact]
    public void Removing_a_node_reports_or_removes_the_links_to_it()
    {
        var workflow = Workflow.Parse(Sdxl);

        var dangling = workflow.RemoveNode("4");

        Assert.Equal([("6", "clip"), ("7", "clip"), ("3", "model"), ("8", "vae")], dangling);
        Assert.Equal(4, workflow.FindDanglingLinks().Count);
        Assert.Contains(("3", "model", "4"), workflow.FindDanglingLinks());
        Assert.False(workflow.ContainsNode("4"));

        var other = Workflow.Parse(Sdxl);
        var removed = other.RemoveNode("4", removeLinks: true);
        Assert.Equal(4, removed.Count);
        Assert.Empty(other.FindDanglingLinks());
        Assert.False(other.Node("3").HasInput("model"));
        Assert.Throws<KeyNotFoundException>(() => other.RemoveNode("4"));
    }

    [Fact]
    public void Clone_is_independent()
    {
        var workflow = Workflow.Parse(Sdxl);
        var clone = workflow.Clone();

        clone.Node("3").Set("seed", 1);
        clone.AddNode("X");
        clone.RemoveNode("9");

        Assert.Equal(ulong.MaxValue, workflow.Node("3").GetInput<ulong>("seed"));
        Assert.Equal(7, workflow.Count);
        Assert.True(workflow.ContainsNode("9"));
        Assert.Equal(Sdxl, workflow.ToJson());
        Assert.False(workflow.IsModified);
        Assert.True(clone.IsModified);
        Assert.Equal(Sdxl, workflow.Clone().ToJson());
    }

    [Fact]
    public void ToJsonObject_is_a_copy()
    {
        var workflow = Workflow.Parse(Sdxl);

        var copy = workflow.ToJsonObject();
        copy["3"]!["inputs"]!["steps"] = 99;
        workflow.Node("3").GetInputNode("steps");

        Assert.Equal(20, workflow.Node("3").GetInput<int>("steps"));
        Assert.Equal(Sdxl, workflow.ToJson());
        Assert.True(JsonNode.DeepEquals(workflow.ToJsonObject(), workflow.ToRequest().Prompt));
    }

    [Theory]
    [InlineData("{\"1\":{\"class_type\":\"X\",\"inputs\":{}}}")]
    [InlineData("\n\t{ \"2\" :{\"inputs\":{ \"b\":1 ,\"a\" : 2.50},\"class_type\":\"X\" } ,\r\n \"1\":{\"class_type\":\"Y\",\"inputs\":{\"t\":\"\\u00e9\\u4e2d\\ud83d\\ude00 \\/ \\\"\"},\"_meta\":{\"title\":\"\u00e9\"}}}   \n")]
    [InlineData("{\"1\": {\"class_type\": \"X\", \"inputs\": {\"seed\": 18446744073709551615, \"f\": 1e3, \"g\": -0.0, \"big\": 123456789012345678901234567890}}}")]
    public void Unchanged_input_serializes_back_byte_for_byte(string json)
    {
        var workflow = Workflow.Parse(json);
        _ = workflow.Nodes.Select(n => n.Title).ToList();
        _ = workflow.NodesOfType("X");

        Assert.Equal(json, workflow.ToJson());
        Assert.False(workflow.IsModified);
    }

    [Fact]
    public void Changed_input_is_written_again_keeping_values_and_key_order()
    {
        const string json = "{ \"2\" :{\"inputs\":{ \"b\":1 ,\"a\" : 2.50, \"big\": 123456789012345678901234567890},\"class_type\":\"X\" }, \"1\":{\"class_type\":\"Y\",\"inputs\":{\"t\":\"\\u00e9\"}}}";
        var workflow = Workflow.Parse(json);

        workflow.Node("1").Set("n", 1);

        Assert.True(workflow.IsModified);
        var written = workflow.ToJson();
        Assert.NotEqual(json, written);
        Assert.True(written.IndexOf("\"2\"", StringComparison.Ordinal) < written.IndexOf("\"1\"", StringComparison.Ordinal));
        Assert.Contains("2.50", written);
        Assert.Contains("123456789012345678901234567890", written);
        Assert.Equal("é", Workflow.Parse(written).Node("1").GetInput<string>("t"));
    }

    [Fact]
    public void Builder_makes_the_expected_prompt()
    {
        var workflow = new WorkflowBuilder()
            .Add("EmptyImage", out var image, n => n.Set("width", 64).Set("height", 48).Set("batch_size", 1).Set("color", 3368652))
            .Add("ImageInvert", out var inverted, n => n.SetLink("image", image))
            .Add("SaveImage", n => n.SetLink("images", inverted, 0).Set("filename_prefix", "sdk_test/inverted").SetTitle("Save"))
            .Build();

        var expected = JsonNode.Parse("""
            {
              "1": {"inputs": {"width": 64, "height": 48, "batch_size": 1, "color": 3368652}, "class_type": "EmptyImage"},
              "2": {"inputs": {"image": ["1", 0]}, "class_type": "ImageInvert"},
              "3": {"inputs": {"images": ["2", 0], "filename_prefix": "sdk_test/inverted"}, "class_type": "SaveImage", "_meta": {"title": "Save"}}
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, workflow.ToJsonObject()), workflow.ToJson());
        Assert.Equal(expected!.ToJsonString(), workflow.ToJsonObject().ToJsonString());
        Assert.Equal("Save", workflow.NodeByTitle("Save").Title);
    }

    [Fact]
    public void Builder_output_is_independent_of_the_builder()
    {
        var builder = new WorkflowBuilder().Add("A", out _);
        var first = builder.Build();

        builder.Add("B");

        Assert.Equal(1, first.Count);
        Assert.Equal(2, builder.Build().Count);
    }
}
