using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Conversion;

/// <summary>
/// One UI/prompt pair per conversion rule (Fixtures/conversion/rules, built from nodes of the real 0.33.0 schema): bypass through several
/// nodes, bypass without a matching type, mute, reroute chains (legacy and native), a primitive feeding two nodes, widgets (controls skipped,
/// forceInput, list values, dynamic prompts, 2^64−1 seeds), a nested subgraph with a promoted widget, a legacy group node. Each must convert
/// to exactly its prompt, titles included.
/// </summary>
public sealed class RuleConversionTests
{
    internal static readonly Lazy<NodeSchema> Schema = new(() => NodeSchema.Parse(Fixture.HttpBytes("object_info.json")));

    private static string RulesDirectory => Path.Combine(Fixture.Directory, "conversion", "rules");

    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RulesDirectory, "*.workflow.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file)[..^".workflow.json".Length]);
        }

        return data;
    }

    internal static WorkflowConversionResult ConvertRule(string name, WorkflowConversionOptions? options = null) =>
        UiWorkflowConverter.Convert(File.ReadAllText(Path.Combine(RulesDirectory, name + ".workflow.json")), Schema.Value, options);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rule_pair_converts_to_exactly_its_prompt(string name)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(RulesDirectory, name + ".prompt.json")))!.AsObject();

        var result = ConvertRule(name, new WorkflowConversionOptions { Random = new Random(3) });

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        var actual = result.Workflow!.ToJsonObject();
        Assert.True(PromptComparer.JsonEquals(expected, actual), $"{name}:{Environment.NewLine}{actual.ToJsonString()}{Environment.NewLine}!={Environment.NewLine}{expected.ToJsonString()}");
        Assert.Equal(WorkflowSourceFormat.UiWorkflow, result.Workflow.SourceFormat);
        // Nodes come out in ascending id order, segment by segment.
        Assert.Equal(expected.Select(p => p.Key).Order(Comparer<string>.Create(CompareIds)), result.Workflow.Ids);
    }

    private static int CompareIds(string x, string y)
    {
        var a = x.Split(':').Select(long.Parse).ToArray();
        var b = y.Split(':').Select(long.Parse).ToArray();
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    [Fact]
    public void A_bypass_without_a_matching_input_type_is_a_warning_that_names_the_node()
    {
        var result = ConvertRule("bypass_no_matching_type");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(WorkflowDiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("bypass-no-match", warning.Code);
        Assert.Equal("2", warning.NodeId);
        Assert.Equal("SdkTestImageSize", warning.NodeType);
        Assert.Contains("INT", warning.Message, StringComparison.Ordinal);
        Assert.Same(result.Diagnostics, result.Workflow!.ConversionDiagnostics);
    }

    [Fact]
    public void Dynamic_prompts_pick_one_choice_per_group_after_comments_are_removed()
    {
        var workflow = Ui(UiNode(1, "CLIPTextEncode", widgets: "[\"a {red|green|blue} {cat|dog} /* gone */ ok\"]"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var seed = 0; seed < 40; seed++)
        {
            var text = UiWorkflowConverter.Convert(workflow, Schema.Value, new WorkflowConversionOptions { Random = new Random(seed) })
                .Workflow!.Node("1").GetInput<string>("text");
            Assert.Matches("^a (red|green|blue) (cat|dog)  ok$", text);
            seen.Add(text);
        }

        Assert.True(seen.Count > 3, "the choices vary with the random source");
        var again = UiWorkflowConverter.Convert(workflow, Schema.Value, new WorkflowConversionOptions { Random = new Random(7) }).Workflow!.Node("1").GetInput<string>("text");
        Assert.Equal(UiWorkflowConverter.Convert(workflow, Schema.Value, new WorkflowConversionOptions { Random = new Random(7) }).Workflow!.Node("1").GetInput<string>("text"), again);
    }

    [Fact]
    public void An_unknown_node_type_is_an_error_naming_the_node_unless_skipped()
    {
        var workflow = Ui(UiNode(5, "NoSuchNode", widgets: "[1]", title: "Mystery"), UiNode(6, "SaveImage", widgets: "[\"x\"]"));

        var failed = UiWorkflowConverter.Convert(workflow, Schema.Value);
        Assert.False(failed.Succeeded);
        var error = Assert.Single(failed.Diagnostics);
        Assert.Equal(("unknown-node-type", "5", "NoSuchNode", "Mystery"), (error.Code, error.NodeId, error.NodeType, error.NodeTitle));
        Assert.Equal(WorkflowDiagnosticSeverity.Error, error.Severity);
        Assert.Contains("node 5 (NoSuchNode) \"Mystery\"", error.ToString(), StringComparison.Ordinal);
        var thrown = Assert.Throws<WorkflowConversionException>(() => Workflow.FromUiWorkflow(workflow, Schema.Value));
        Assert.Contains("NoSuchNode", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(error.ToString(), Assert.Single(thrown.Diagnostics).ToString());

        var skipped = UiWorkflowConverter.Convert(workflow, Schema.Value, new WorkflowConversionOptions { SkipUnknownNodes = true });
        Assert.Equal(["6"], skipped.Workflow!.Ids);
        Assert.Equal(WorkflowDiagnosticSeverity.Warning, Assert.Single(skipped.Diagnostics).Severity);
    }

    [Fact]
    public void Widget_values_an_old_workflow_lacks_are_left_out_or_filled_with_defaults_on_request()
    {
        // Saved before EmptyImage had "color": three values for four widgets.
        var workflow = Ui(UiNode(1, "EmptyImage", widgets: "[32, 16, 2]"));

        var asSaved = UiWorkflowConverter.Convert(workflow, Schema.Value).Workflow!;
        Assert.False(asSaved.Node("1").HasInput("color"));
        var warning = Assert.Single(asSaved.ConversionDiagnostics);
        Assert.Equal("widget-count", warning.Code);
        Assert.Contains("color", warning.Message, StringComparison.Ordinal);

        var filled = UiWorkflowConverter.Convert(workflow, Schema.Value, new WorkflowConversionOptions { FillMissingWidgetValues = true }).Workflow!;
        Assert.Equal(0, filled.Node("1").GetInput<int>("color"));
        Assert.Equal(2, filled.Node("1").GetInput<int>("batch_size"));
    }

    [Fact]
    public void Extra_widget_values_are_ignored_with_a_warning_and_display_only_nulls_silently()
    {
        var extra = UiWorkflowConverter.Convert(Ui(UiNode(1, "ImageInvert", widgets: "[\"stale\"]")), Schema.Value);
        Assert.Equal("widget-count", Assert.Single(extra.Diagnostics).Code);
        Assert.Empty(extra.Workflow!.Node("1").InputNames);

        var nulls = UiWorkflowConverter.Convert(Ui(UiNode(1, "ImageInvert", widgets: "[null, null]")), Schema.Value);
        Assert.Empty(nulls.Diagnostics);
    }

    [Fact]
    public void A_link_missing_from_the_links_is_dropped_with_a_warning_as_the_editor_does_on_load()
    {
        var workflow = Ui("{\"id\": 2, \"type\": \"SaveImage\", \"mode\": 0, \"inputs\": [{\"name\": \"images\", \"type\": \"IMAGE\", \"link\": 99}], \"widgets_values\": [\"x\"]}");

        var result = UiWorkflowConverter.Convert(workflow, Schema.Value);

        Assert.True(result.Succeeded);
        Assert.False(result.Workflow!.Node("2").HasInput("images"));
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("dangling-link", "2"), (warning.Code, warning.NodeId));
        Assert.Contains("99", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_a_ui_workflow_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => UiWorkflowConverter.Convert("{\"1\": {\"class_type\": \"X\", \"inputs\": {}}}", Schema.Value));
        Assert.Throws<FormatException>(() => UiWorkflowConverter.Convert("[", Schema.Value));
        Assert.Throws<FormatException>(() => UiWorkflowConverter.Convert("[]", Schema.Value));
        Assert.Contains("not valid JSON", Assert.Throws<FormatException>(() => Workflow.FromUiWorkflow("{\"nodes\": [", Schema.Value)).Message, StringComparison.Ordinal);
        Assert.Contains("without one", Assert.Throws<FormatException>(() => Workflow.FromUiWorkflow("{\"1\": {}}", Schema.Value)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[42, \"hi\"]")]                  // one value per promoted input (the current editor)
    [InlineData("[42, \"fixed\", \"hi\"]")]       // older editors also saved the control value of a promoted seed
    public void Promoted_widget_values_of_a_subgraph_instance_map_to_its_inputs(string values)
    {
        const string sub = "cccccccc-0000-4000-8000-000000000003";
        var workflow = $$$"""
            {"version": 0.4, "links": [],
             "nodes": [{"id": 5, "type": "{{{sub}}}", "mode": 0, "inputs": [], "outputs": [], "widgets_values": {{{values}}}}],
             "definitions": {"subgraphs": [{"id": "{{{sub}}}", "name": "Say",
               "inputs": [{"name": "seed", "type": "INT", "linkIds": [1]}, {"name": "text", "type": "STRING", "linkIds": [2]}], "outputs": [],
               "nodes": [{"id": 1, "type": "SdkTestTextOutput", "mode": 0, "outputs": [],
                          "inputs": [{"name": "text", "type": "STRING", "widget": {"name": "text"}, "link": 2},
                                     {"name": "seed", "type": "INT", "widget": {"name": "seed"}, "link": 1}],
                          "widgets_values": ["inner", 7, "randomize"]}],
               "links": [{"id": 1, "origin_id": -10, "origin_slot": 0, "target_id": 1, "target_slot": 1, "type": "INT"},
                         {"id": 2, "origin_id": -10, "origin_slot": 1, "target_id": 1, "target_slot": 0, "type": "STRING"}]}]}}
            """;

        var node = UiWorkflowConverter.Convert(workflow, Schema.Value).Workflow!.Node("5:1");

        Assert.Equal(42, node.GetInput<int>("seed"));
        Assert.Equal("hi", node.GetInput<string>("text"));
    }

    internal static string Ui(params string[] nodes) => $"{{\"nodes\": [{string.Join(", ", nodes)}], \"links\": [], \"version\": 0.4}}";

    internal static string UiNode(int id, string type, string widgets = "[]", string? title = null) =>
        $"{{\"id\": {id}, \"type\": \"{type}\", \"mode\": 0, \"inputs\": [], \"outputs\": [], \"widgets_values\": {widgets}{(title is null ? "" : $", \"title\": \"{title}\"")}}}";
}
