using System.Text;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Schema;

/// <summary>The node schema read from the real /object_info of ComfyUI 0.33.0 (861 classes).</summary>
public sealed class NodeSchemaTests
{
    private static readonly Lazy<NodeSchema> Real = new(() => NodeSchema.Parse(Fixture.HttpBytes("object_info.json")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NodeClassSchema Class(string name) => Real.Value.Find(name) ?? throw new InvalidOperationException($"no {name}");

    [Fact]
    public void Every_real_class_builds_and_keeps_the_server_order()
    {
        var schema = Real.Value;

        Assert.Equal(861, schema.Count);
        Assert.Equal(schema.Definitions.Keys, schema.ClassTypes);
        Assert.Equal(schema.ClassTypes, schema.Classes.Select(c => c.ClassType));
        Assert.Same(schema.Find("KSampler"), schema.Find("KSampler"));
        Assert.True(schema.Contains("KSampler"));
        Assert.False(schema.Contains("ksampler"));
        Assert.Null(schema.Find("NoSuchNode"));
        // Every input appears once, required before optional; hidden inputs are kept apart (some API nodes have an input and a hidden input
        // both named "prompt").
        Assert.All(schema.Classes, c =>
        {
            Assert.Equal(c.Inputs.Count, c.Inputs.Select(i => i.Name).Distinct().Count());
            Assert.Equal(c.Definition.RequiredInputs.Count + c.Definition.OptionalInputs.Count, c.Inputs.Count);
            Assert.True(c.Inputs.SkipWhile(i => i.IsRequired).All(i => !i.IsRequired));
            Assert.All(c.HiddenInputs.Keys, name => Assert.True(c.DeclaresInput(name)));
        });
    }

    [Fact]
    public void KSampler_inputs_follow_input_order_with_widgets_and_sockets_told_apart()
    {
        var ksampler = Class("KSampler");

        Assert.Equal(["model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "negative", "latent_image", "denoise"], ksampler.Inputs.Select(i => i.Name));
        Assert.Equal(["model", "positive", "negative", "latent_image"], ksampler.Inputs.Where(i => i.IsLinkOnly).Select(i => i.Name));
        var seed = ksampler.FindInput("seed")!;
        Assert.True(seed.IsWidget);
        Assert.Equal("INT", seed.WidgetType);
        Assert.True(seed.ControlAfterGenerate);
        Assert.Equal("randomize", seed.ControlAfterGenerateDefault);
        Assert.Equal(18446744073709551615m, seed.Max);
        Assert.Equal(0.01m, ksampler.FindInput("cfg")!.Round);
        Assert.Contains("euler", ksampler.FindInput("sampler_name")!.Choices);
        Assert.Equal("MODEL", ksampler.FindInput("model")!.Type);
        Assert.True(ksampler.FindInput("model")!.AcceptsLink);

        // widgets_values of a saved KSampler: [seed, "randomize", steps, cfg, sampler, scheduler, denoise].
        Assert.Equal(
            ["seed", "control_after_generate", "steps", "cfg", "sampler_name", "scheduler", "denoise"],
            ksampler.Widgets.Select(w => w.Name));
        Assert.Equal(NodeWidgetRole.Control, ksampler.Widgets[1].Role);
        Assert.False(ksampler.Widgets[1].IsSent);
        Assert.Same(seed, ksampler.Widgets[1].Input);

        Assert.Equal("LATENT", Assert.Single(ksampler.Outputs).Type);
        Assert.Equal("model/sampling", ksampler.Category);
        Assert.Equal("nodes", ksampler.PythonModule);
        Assert.Equal("KSampler", ksampler.DisplayName);
        Assert.False(ksampler.IsOutputNode);
    }

    [Fact]
    public void Seeds_get_a_control_widget_by_name_unless_the_spec_says_otherwise()
    {
        // SdkTestTextOutput declares a plain INT "seed": the editor still adds the control widget, as for every seed and noise_seed.
        Assert.True(Class("SdkTestTextOutput").FindInput("seed")!.ControlAfterGenerate);
        Assert.Equal(["text", "seed", "control_after_generate"], Class("SdkTestTextOutput").Widgets.Select(w => w.Name));
        Assert.True(Class("SamplerCustom").FindInput("noise_seed")!.ControlAfterGenerate);
        // A V3 spec may name the initial mode.
        Assert.Equal("fixed", Class("PrimitiveInt").FindInput("value")!.ControlAfterGenerateDefault);
        Assert.False(Class("EmptyImage").FindInput("width")!.ControlAfterGenerate);
    }

    [Fact]
    public void ForceInput_and_link_types_take_no_widget_and_custom_widgets_do()
    {
        var number = Class("SdkTestTextOutput").FindInput("number")!;
        Assert.True(number.ForceInput);
        Assert.False(number.IsWidget);
        Assert.Equal("INT", number.WidgetType);

        var color = Class("TextOverlay").FindInput("color")!;
        Assert.Equal("COLOR", color.WidgetType);
        Assert.True(color.IsWidget);
        Assert.True(color.Socketless);
        Assert.False(color.AcceptsLink);

        // widgetType overrides the type: "FLOAT,INT" is drawn as a FLOAT widget.
        var frameRate = Class("LTXVEmptyLatentAudio").FindInput("frame_rate")!;
        Assert.Equal("FLOAT,INT", frameRate.Type);
        Assert.Equal("FLOAT", frameRate.WidgetType);

        Assert.True(Class("ComfySwitchNode").FindInput("on_false")!.Lazy);
        Assert.True(Class("Painter").FindInput("width")!.IsHiddenWidget);
        Assert.True(Class("CLIPTextEncode").FindInput("text")!.DynamicPrompts);
        Assert.True(Class("CLIPTextEncode").FindInput("text")!.Multiline);
    }

    [Fact]
    public void Combos_in_both_forms_with_upload_widgets_after_the_required_inputs()
    {
        var loadImage = Class("LoadImage");
        var image = loadImage.FindInput("image")!;
        Assert.Equal(InputKind.Combo, image.Kind);
        Assert.Equal("COMBO", image.WidgetType);
        Assert.Equal("image", image.Upload);
        Assert.Equal(["image", "upload"], loadImage.Widgets.Select(w => w.Name));
        Assert.Equal(NodeWidgetRole.EditorOnly, loadImage.Widgets[1].Role);

        // ["COMBO", {"options": [...], "multiselect": false}] (V3) reads like a list combo.
        var file = Class("LoadVideo").FindInput("file")!;
        Assert.Equal("COMBO", file.Type);
        Assert.Equal("COMBO", file.WidgetType);
        Assert.Equal("video", file.Upload);
        Assert.False(file.Multiselect);
    }

    [Fact]
    public void V3_dynamic_inputs_expose_their_templates()
    {
        var batch = Class("BatchImagesNode").FindInput("images")!;
        Assert.False(batch.IsWidget);
        Assert.NotNull(batch.Autogrow);
        Assert.Equal("image", batch.Autogrow.Prefix);
        Assert.Equal(1, batch.Autogrow.Min);
        Assert.Equal(50, batch.Autogrow.Max);
        Assert.Equal("IMAGE", Assert.Single(batch.Autogrow.Inputs).Type);

        var resize = Class("ResizeImageMaskNode");
        var resizeType = resize.FindInput("resize_type")!;
        Assert.True(resizeType.IsWidget);
        Assert.Equal("COMFY_DYNAMICCOMBO_V3", resizeType.WidgetType);
        var dimensions = resizeType.DynamicOptions.Single(o => o.Key == "scale dimensions");
        Assert.Equal(["resize_type.width", "resize_type.height", "resize_type.crop"], dimensions.Inputs.Select(i => i.Name));
        Assert.Equal(512, resize.FindInput("resize_type.width")!.Default!.Value.GetInt32());
        Assert.Equal("INT", resize.FindInput("resize_type.width")!.WidgetType);

        var match = resize.FindInput("input")!;
        Assert.Equal("input_type", match.MatchTypeTemplateId);
        Assert.Equal(["IMAGE", "MASK"], match.MatchTypeAllowedTypes);
        Assert.False(match.IsWidget);
    }

    [Fact]
    public void Outputs_flags_and_hidden_inputs()
    {
        var loader = Class("CheckpointLoaderSimple");
        Assert.Equal(["MODEL", "CLIP", "VAE"], loader.Outputs.Select(o => o.Type));
        Assert.Equal([0, 1, 2], loader.Outputs.Select(o => o.Index));
        Assert.All(loader.Outputs, o => Assert.False(o.IsList));
        Assert.NotNull(loader.Outputs[0].Tooltip);

        var save = Class("SaveImage");
        Assert.True(save.IsOutputNode);
        Assert.Equal("PROMPT", save.HiddenInputs["prompt"]);
        Assert.True(save.DeclaresInput("prompt"));
        Assert.Null(save.FindInput("prompt"));
        Assert.Contains(Real.Value.Classes, c => c.IsApiNode);
        Assert.Contains(Real.Value.Classes, c => c.IsDeprecated);
        Assert.Contains(Real.Value.Classes, c => c.IsExperimental);
        Assert.Contains(Real.Value.Classes, c => c.Outputs.Any(o => o.IsList));
    }

    [Fact]
    public async Task Loads_from_a_file_and_a_stream_and_names_what_is_wrong()
    {
        var path = Path.Combine(Fixture.Directory, "http", "object_info.json");
        var fromFile = await NodeSchema.LoadAsync(path, Ct);
        Assert.Equal(861, fromFile.Count);
        await using (var stream = File.OpenRead(path))
        {
            Assert.Equal(861, (await NodeSchema.LoadAsync(stream, Ct)).Count);
        }

        Assert.Equal(1, NodeSchema.Parse("\uFEFF{\"A\": {}}").Count);
        // A server writes float('inf') and float('nan') as bare Infinity / NaN; a saved answer keeps them.
        var python = NodeSchema.Parse("{\"A\": {\"input\": {\"required\": {\"x\": [\"FLOAT\", {\"min\": -Infinity, \"max\": Infinity, \"default\": NaN}]}}}}");
        Assert.Equal("FLOAT", python.Find("A")!.FindInput("x")!.WidgetType);
        Assert.Null(python.Find("A")!.FindInput("x")!.Max);
        var notJson = Assert.Throws<FormatException>(() => NodeSchema.Parse("{\"A\": "));
        Assert.Contains("not valid JSON", notJson.Message, StringComparison.Ordinal);
        var notObject = Assert.Throws<FormatException>(() => NodeSchema.Parse("[1]"));
        Assert.Contains("/object_info", notObject.Message, StringComparison.Ordinal);

        var file = Path.Combine(Path.GetTempPath(), $"bad-object-info-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "[]", Encoding.UTF8, Ct);
        try
        {
            var error = await Assert.ThrowsAsync<FormatException>(() => NodeSchema.LoadAsync(file, Ct));
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_client_reads_the_schema_once_and_refreshes_on_request()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("object_info.json")));

        var first = await mock.Client.Discovery.GetNodeSchemaAsync(cancellationToken: Ct);
        var second = await mock.Client.Discovery.GetNodeSchemaAsync(cancellationToken: Ct);
        Assert.Same(first, second);
        Assert.Single(mock.Server.LogEntries);
        Assert.NotNull(first.Find("KSampler"));

        var refreshed = await mock.Client.Discovery.GetNodeSchemaAsync(refresh: true, Ct);
        Assert.NotSame(first, refreshed);
        Assert.Equal(2, mock.Server.LogEntries.Count);
    }

    [Fact]
    public async Task A_failed_schema_read_is_not_cached()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet()).InScenario("s").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("boom"));
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet()).InScenario("s").WhenStateIs("up")
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("{\"EmptyImage\": {}}"));

        await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Discovery.GetNodeSchemaAsync(cancellationToken: Ct));
        var schema = await mock.Client.Discovery.GetNodeSchemaAsync(cancellationToken: Ct);
        Assert.True(schema.Contains("EmptyImage"));
    }
}
