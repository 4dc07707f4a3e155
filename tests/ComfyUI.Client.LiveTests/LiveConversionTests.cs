using System.Globalization;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.LiveTests;

/// <summary>
/// UI workflows built from the model-free nodes, converted with the real server's own /object_info and run on it; and the images the
/// server writes, whose embedded workflow converts back to the prompt that ran.
/// </summary>
public sealed class LiveConversionTests
{
    private static string Rule(string name, string part) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", $"{name}.{part}.json"));

    [Theory]
    [InlineData("bypass_chain")]
    [InlineData("bypass_no_matching_type")]
    [InlineData("reroute_chain")]
    [InlineData("native_reroutes")]
    [InlineData("nested_subgraph")]
    [InlineData("group_node")]
    public async Task A_converted_ui_workflow_runs_on_the_real_server(string name)
    {
        await using var client = Live.Client();
        var schema = await client.Discovery.GetNodeSchemaAsync(cancellationToken: Live.Ct);

        var workflow = Workflow.FromUiWorkflow(Rule(name, "workflow"), schema);

        // The server's schema gives the same prompt as the recorded 0.33.0 /object_info.
        Assert.True(JsonNode.DeepEquals(Sorted(JsonNode.Parse(Rule(name, "prompt"))!.AsObject()), Sorted(workflow.ToJsonObject())), workflow.ToJson());
        var result = await client.RunAsync(workflow, cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        try
        {
            Assert.Equal(PromptStatus.Succeeded, result.Status);
        }
        finally
        {
            await Live.ForgetAsync(client, result.PromptId);
        }
    }

    [Fact]
    public async Task The_workflow_the_server_writes_into_its_png_converts_back_to_the_prompt_that_ran()
    {
        await using var client = Live.Client();
        var schema = await client.Discovery.GetNodeSchemaAsync(cancellationToken: Live.Ct);
        var seed = Live.FreshSeed().ToString(CultureInfo.InvariantCulture);
        var ui = $$"""
            {"nodes": [
              {"id": 1, "type": "SdkTestProgressImage", "mode": 0, "inputs": [], "outputs": [{"name": "image", "type": "IMAGE", "links": [1]}],
               "widgets_values": [2, 0.01, 16, 16, "none", false, {{seed}}, "randomize", 0]},
              {"id": 5, "type": "Reroute", "mode": 0, "inputs": [{"name": "", "type": "*", "link": 1}], "outputs": [{"name": "", "type": "IMAGE", "links": [2]}]},
              {"id": 2, "type": "ImageInvert", "mode": 4, "inputs": [{"name": "image", "type": "IMAGE", "link": 2}], "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [3]}]},
              {"id": 3, "type": "SaveImage", "mode": 0, "title": "Keep", "inputs": [{"name": "images", "type": "IMAGE", "link": 3}], "outputs": [], "widgets_values": ["sdk_test/converted"]}],
             "links": [[1, 1, 0, 5, 0, "IMAGE"], [2, 5, 0, 2, 0, "IMAGE"], [3, 2, 0, 3, 0, "IMAGE"]], "version": 0.4}
            """;
        var workflow = Workflow.FromUiWorkflow(ui, schema);
        Assert.Equal(["1", "3"], workflow.Ids);
        Assert.Equal(("1", 0), workflow.Node("3").GetLink("images"));

        var extra = new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = JsonNode.Parse(ui) } };
        var result = await client.RunAsync(workflow, new PromptOptions { ExtraData = extra }, Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        try
        {
            Assert.Equal(PromptStatus.Succeeded, result.Status);
            using var png = new MemoryStream();
            await client.Files.DownloadAsync(Assert.Single(result.Images), png, Live.Ct);

            png.Position = 0;
            var metadata = await ComfyImageMetadata.ReadAsync(png, Live.Ct);
            Assert.True(JsonNode.DeepEquals(Sorted(workflow.ToJsonObject()), Sorted(JsonNode.Parse(metadata.Prompt!)!.AsObject())));
            png.Position = 0;
            var fromImage = await Workflow.LoadAsync(png, schema, cancellationToken: Live.Ct);
            Assert.Equal(WorkflowSourceFormat.ImageWorkflow, fromImage.SourceFormat);
            Assert.True(JsonNode.DeepEquals(Sorted(workflow.ToJsonObject()), Sorted(fromImage.ToJsonObject())));
        }
        finally
        {
            await Live.ForgetAsync(client, result.PromptId);
        }
    }

    /// <summary>The prompt with its nodes' inputs in name order (key order is not meaningful), numbers as written.</summary>
    private static JsonObject Sorted(JsonObject prompt)
    {
        var result = new JsonObject();
        foreach (var (id, node) in prompt.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var inputs = new JsonObject();
            foreach (var (name, value) in ((JsonObject)node!["inputs"]!).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                inputs[name] = value is JsonValue number && number.GetValueKind() == System.Text.Json.JsonValueKind.Number
                    ? JsonValue.Create(decimal.Parse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture))
                    : value?.DeepClone();
            }

            result[id] = new JsonObject { ["class_type"] = node!["class_type"]!.DeepClone(), ["inputs"] = inputs };
        }

        return result;
    }
}
