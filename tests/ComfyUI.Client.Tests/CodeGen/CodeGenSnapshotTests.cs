namespace ComfyUI.Client.Tests.CodeGen;

/// <summary>
/// The generated code, line by line: a hand-made schema with one case per mapping rule (Fixtures/CodeGen/rules.object_info.json) and
/// a selection of real 0.33.0 classes. Run with COMFYUI_ACCEPT_SNAPSHOTS=1 to accept an intended change.
/// </summary>
public sealed class CodeGenSnapshotTests
{
    private const string RealSelection =
        "EmptyImage,ImageInvert,SaveImage,LoadImage,KSampler,CheckpointLoaderSimple,CLIPTextEncode,EmptyLatentImage,VAEDecode," +
        "ResizeImageMaskNode,BatchImagesNode,StringFormat,ComfySwitchNode,ImageCropV2,ImageDeduplication,PrimitiveInt";

    [Fact]
    public void The_mapping_rules_schema_generates_the_snapshot() =>
        Snapshot.Match(CodeGenHarness.Generate(File.ReadAllText(CodeGenHarness.RulesPath), "Rules.Comfy"), "rules.generated.txt");

    [Fact]
    public void Real_classes_generate_the_snapshot() =>
        Snapshot.Match(CodeGenHarness.Generate(CodeGenHarness.RealObjectInfo, "MyApp.Comfy", RealSelection), "real-selection.generated.txt");

    [Fact]
    public void The_generated_rules_compile_without_a_warning()
    {
        var problems = CodeGenHarness.Problems(CodeGenHarness.Compile(CodeGenHarness.Generate(File.ReadAllText(CodeGenHarness.RulesPath), "Rules.Comfy")));
        Assert.Empty(problems.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("public global::ComfyUI.Client.Input<long> Count { get; set; } = 3L;", "INT → Input<long>, a required input with a default starts at it")]
    [InlineData("public global::ComfyUI.Client.Input<ulong> Seed { get; set; } = 0UL;", "INT with max above long.MaxValue → ulong")]
    [InlineData("public global::ComfyUI.Client.Input<double> Strength { get; set; } = 0.75D;", "FLOAT → double, the server's digits")]
    [InlineData("public required global::ComfyUI.Client.Input<string> Text { get; set; }", "a required input without a default is a required member")]
    [InlineData("public global::ComfyUI.Client.Input<bool> Enabled { get; set; } = true;", "BOOLEAN → bool")]
    [InlineData("public required ModeChoice Mode { get; set; }", "a legacy combo without a default must be set")]
    [InlineData("public static ModeChoice EulerA => new ModeChoice(global::ComfyUI.Client.ComboValue.Text(\"euler_a\"));", "choices are static members")]
    [InlineData("public static ModeChoice EulerA2 => new ModeChoice(global::ComfyUI.Client.ComboValue.Text(\"Euler A\"));", "choice name clashes get a number")]
    [InlineData("public static ModeChoice _8Bit => new ModeChoice(global::ComfyUI.Client.ComboValue.Text(\"8-bit\"));", "a name starting with a digit gets '_'")]
    [InlineData("public static implicit operator ModeChoice(string value)", "any text converts to a choice")]
    [InlineData("public static DurationChoice _5 => new DurationChoice(global::ComfyUI.Client.ComboValue.Json(\"5\"));", "numeric choices stay numbers")]
    [InlineData("public global::System.Collections.Generic.IReadOnlyList<TagsChoice>? Tags { get; set; }", "multiselect → a list")]
    [InlineData("public global::ComfyUI.Client.Input<double>? FrameRate { get; set; }", "a union with a widgetType is that widget; optional inputs are nullable")]
    [InlineData("public global::ComfyUI.Client.Input<global::Rules.Comfy.BoundingBox>? Box { get; set; }", "a custom widget type takes a link of its type or JSON")]
    [InlineData("public global::ComfyUI.Client.Input<string> WidgetNodeInput { get; set; }", "an input named like its class gets 'Input'")]
    [InlineData("public global::ComfyUI.Client.Input<long> BatchSize2 { get; set; } = 2L;", "batch_size and batchSize both want BatchSize")]
    [InlineData("public global::ComfyUI.Client.Input<long> OutputsInput { get; set; } = 0L;", "'Outputs' is the handle class")]
    [InlineData("public required global::ComfyUI.Client.Output<global::Rules.Comfy.Image> Image { get; set; }", "link-only inputs take typed outputs")]
    [InlineData("public required global::ComfyUI.Client.Output Anything { get; set; }", "'*' takes any output")]
    [InlineData("public required global::ComfyUI.Client.Output NumberOrText { get; set; }", "a union without a widget takes any output")]
    [InlineData("public global::ComfyUI.Client.ListOutput<global::Rules.Comfy.Latent> Latent => GetListOutput<global::Rules.Comfy.Latent>(1);", "list outputs are marked")]
    [InlineData("public global::ComfyUI.Client.Output<global::Rules.Comfy.Image> Image2 => GetOutput<global::Rules.Comfy.Image>(2);", "output name clashes get a number")]
    [InlineData("public global::ComfyUI.Client.Output<global::Rules.Comfy.Image> IdOutput => GetOutput<global::Rules.Comfy.Image>(5);", "'Id' is the handle's own")]
    [InlineData("public global::ComfyUI.Client.Output Any => GetAnyOutput(3);", "'*' outputs link anywhere")]
    [InlineData("public sealed class ArrayType", "ARRAY would hide System.Array")]
    [InlineData("public sealed class RecraftControlsType", "a type named like a node class gets 'Type'")]
    [InlineData("public sealed partial class ArrayNode : global::ComfyUI.Client.TypedNode<ArrayNode.Outputs>", "a class named like a System type gets 'Node'")]
    [InlineData("public sealed partial class MyNode : global::ComfyUI.Client.TypedNode<MyNode.Outputs>", "a class name that is an identifier keeps it")]
    [InlineData("[global::ComfyUI.Client.ComfyNode(\"My Node\", Category = \"rules\", PythonModule = \"custom_nodes.rules\", OutputNode = true, Deprecated = true)]", "the raw name and flags")]
    [InlineData("public sealed partial class MyNode2 : global::ComfyUI.Client.TypedNode<MyNode2.Outputs>", "'My Node' comes second")]
    [InlineData("public sealed partial class _3DLoaderPack : global::ComfyUI.Client.TypedNode<_3DLoaderPack.Outputs>", "class names are identifiers")]
    [InlineData("writer.WriteAutogrow(\"images\", Images, \"image\", null, 1, 4, static (w, slot, item) => w.Write(slot, item));", "autogrow with a prefix")]
    [InlineData("writer.WriteAutogrow(\"values\", Values, null, new[] { \"a\", \"b\", \"c\" }, 0, 3, static (w, slot, item) => w.Write(slot, item));", "autogrow with names")]
    [InlineData("writer.Write(\"resize.width\", Width);", "dynamic combo inputs are sent under the combo's name")]
    [InlineData("public required ResizeOption Resize { get; set; }", "a dynamic combo is an option class to choose")]
    [InlineData("<summary>How many &lt;items&gt; &amp; more</summary>", "tooltips are XML-escaped")]
    public void Each_mapping_rule_is_in_the_generated_code(string line, string rule)
    {
        var code = CodeGenHarness.Generate(File.ReadAllText(CodeGenHarness.RulesPath), "Rules.Comfy");
        Assert.True(code.Contains(line, StringComparison.Ordinal), $"Rule '{rule}': the generated code has no line\n{line}");
    }

    [Fact]
    public void Hidden_inputs_are_not_exposed()
    {
        var code = CodeGenHarness.Generate(File.ReadAllText(CodeGenHarness.RulesPath), "Rules.Comfy");
        Assert.DoesNotContain("UniqueId", code, StringComparison.Ordinal);
        Assert.DoesNotContain("\"prompt\"", code, StringComparison.Ordinal);
    }
}
