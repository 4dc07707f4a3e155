using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Conversion;

/// <summary>
/// Public fixtures of Comfy-Org/comfy-cli (tests/comfy_cli/fixtures): the SD 1.5 UI workflow with its expected API prompt and object_info,
/// the subgraph template with its object_info, and two subgraphed templates of Comfy-Org/workflow_templates (converted with the 0.33.0
/// object_info).
/// </summary>
public sealed class PublicFixtureTests
{
    private static string Path(string name) => System.IO.Path.Combine(Fixture.Directory, "conversion", "comfy-cli", name);

    private static NodeSchema Schema033 => RuleConversionTests.Schema.Value;

    private static WorkflowConversionResult Convert(string name, NodeSchema schema, WorkflowConversionOptions? options = null) =>
        UiWorkflowConverter.Convert(File.ReadAllText(Path(name)), schema, options);

    [Fact]
    public async Task Sd15_workflow_converts_to_the_expected_api_prompt()
    {
        var schema = await NodeSchema.LoadAsync(Path("sd15_object_info.json"), TestContext.Current.CancellationToken);
        var expected = JsonNode.Parse(File.ReadAllText(Path("sd15_expected_api.json")))!.AsObject();

        var result = Convert("sd15_ui_workflow.json", schema);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.True(PromptComparer.JsonEquals(expected, result.Workflow!.ToJsonObject()), result.Workflow.ToJson());
    }

    [Fact]
    public void Subgraph_instance_takes_outer_links_promoted_widget_values_and_resolves_its_outputs()
    {
        var result = Convert("02_qwen_Image_edit_subgraphed.json", Schema033);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        var prompt = result.Workflow!;
        Assert.False(prompt.ContainsNode("141"));                                         // the instance itself is not sent
        Assert.All(prompt.Ids.Where(id => id.Contains(':', StringComparison.Ordinal)), id => Assert.StartsWith("141:", id, StringComparison.Ordinal));
        // The seed comes from the instance's promoted widget, not from the KSampler inside (1118877715456453).
        Assert.Equal(392667428726572L, prompt.Node("141:137").GetInput<long>("seed"));
        Assert.Equal(4, prompt.Node("141:137").GetInput<int>("steps"));
        // Width and height are linked outside the instance (GetImageSize 144).
        Assert.True(prompt.Node("141:142").TryGetLink("width", out var width));
        Assert.Equal(("144", 0), (width.NodeId, width.OutputIndex));
        Assert.StartsWith("Change the style of the image", prompt.Node("141:132").GetInput<string>("prompt"), StringComparison.Ordinal);
        Assert.Equal("", prompt.Node("141:128").GetInput<string>("prompt"));
        // The image input is fed from outside too, through the instance's input 0.
        Assert.True(prompt.Node("141:128").TryGetLink("image1", out var image));
        Assert.Equal("143", image.NodeId);
        // The instance's output resolves to the VAEDecode inside.
        Assert.True(prompt.Node("60").TryGetLink("images", out var images));
        Assert.Equal("141:138", images.NodeId);
        // The V3 dynamic combo's sub-widget is sent with its dotted name.
        Assert.Equal(1, prompt.Node("143").GetInput<double>("resize_type.megapixels"));
    }

    [Fact]
    public void Subgraph_template_with_unsaved_inner_values_converts_with_the_inner_widgets()
    {
        var result = Convert("05_audio_ace_step_1_t2a_song_subgraphed.json", Schema033);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        var prompt = result.Workflow!;
        Assert.Equal(120, prompt.Node("127:110").GetInput<double>("value"));
        Assert.True(prompt.Node("127:122").TryGetLink("seconds", out var seconds));
        Assert.Equal("127:110", seconds.NodeId);
        Assert.True(prompt.Node("59").TryGetLink("audio", out var audio));
        Assert.Equal("127:123", audio.NodeId);
    }

    [Fact]
    public async Task Nested_subgraphs_get_path_ids_and_a_missing_definition_is_named()
    {
        var schema = await NodeSchema.LoadAsync(Path("subgraph_object_info.json"), TestContext.Current.CancellationToken);

        var failed = Convert("subgraph_template_ui.json", schema);
        var error = Assert.Single(failed.Diagnostics, d => d.Severity == WorkflowDiagnosticSeverity.Error);
        Assert.Equal(("missing-subgraph", "19:3"), (error.Code, error.NodeId));
        // The fixture's root links were trimmed: the instances' inputs point at links that are not there.
        Assert.Contains(failed.Diagnostics, d => d.Code == "dangling-link" && d.NodeId == "10" && d.NodeTitle == "Generate Image 1");

        var skipped = Convert("subgraph_template_ui.json", schema, new WorkflowConversionOptions { SkipUnknownNodes = true });
        Assert.True(skipped.Succeeded);
        var prompt = skipped.Workflow!;
        Assert.Equal("RegexExtract", prompt.Node("10:3:1").ClassType);                   // instance 10 → subgraph instance 3 → node 1
        Assert.True(prompt.Node("10:9").TryGetLink("prompt", out var text));
        Assert.Equal("10:3:1", text.NodeId);                                               // through the nested instance's output
        // "images" comes from the instance's input images.image0, whose outer link is one of the trimmed ones: left unconnected.
        Assert.False(prompt.Node("10:9").HasInput("images"));
        Assert.True(prompt.Node("10:8").TryGetLink("images.image1", out var grown));      // an autogrow input, by its dotted name
        Assert.Equal("10:9", grown.NodeId);
        Assert.DoesNotContain(prompt.Ids, id => id.StartsWith("19:3", StringComparison.Ordinal));
    }
}
