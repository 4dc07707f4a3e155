using System.Reflection;
using System.Text.Json.Nodes;
using ComfyUI.Client.Tests.Nodes;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.TypedNodes;

/// <summary>
/// Workflows built from typed nodes that the source generator made at build time from the real 0.33.0 <c>/object_info</c> (a few
/// classes, see the test project): the prompt they become, and runs on the fake server.
/// </summary>
public sealed class TypedWorkflowTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Inputs(Workflow workflow, string id) => (JsonObject)workflow.ToJsonObject()[id]!["inputs"]!;

    [Fact]
    public void The_issue_example_becomes_the_prompt_the_editor_would_send()
    {
        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage { Width = 64, Height = 64, BatchSize = 1, Color = 0xFF0000 });
        var inverted = g.Add(new ImageInvert { Image = image.Image });
        var save = g.Add(new SaveImage { Images = inverted.Image, FilenamePrefix = "typed" });

        var workflow = g.Build();

        Assert.Equal(["1", "2", "3"], workflow.Ids);
        Assert.Equal(["EmptyImage", "ImageInvert", "SaveImage"], workflow.Nodes.Select(n => n.ClassType));
        Assert.Equal("""{"width":64,"height":64,"batch_size":1,"color":16711680}""", Inputs(workflow, "1").ToJsonString());
        Assert.Equal("""{"image":["1",0]}""", Inputs(workflow, "2").ToJsonString());
        Assert.Equal("""{"images":["2",0],"filename_prefix":"typed"}""", Inputs(workflow, "3").ToJsonString());
        Assert.Equal(("3", "SaveImage"), (save.Id, save.ClassType));
        Assert.Empty(g.Warnings);
    }

    [Fact]
    public async Task A_typed_graph_runs_on_the_fake_server_and_ImagesOf_reads_the_save_node()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = new ComfyUIClient(new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = "typed" });

        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage { Width = 8, Height = 4, BatchSize = 2, Color = 0x00FF00 });
        var inverted = g.Add(new ImageInvert { Image = image.Image });
        var save = g.Add(new SaveImage { Images = inverted.Image, FilenamePrefix = "typed/inverted" });
        var preview = g.Add(new PreviewImage { Images = image.Image });

        var result = await client.RunAsync(g.Build(), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        Assert.True(result.IsSuccess, result.Reason);
        var saved = result.ImagesOf(save);
        Assert.Equal(2, saved.Count);
        Assert.All(saved, file => Assert.Equal(("typed", "output"), (file.Subfolder, file.Type)));
        Assert.Equal(2, result.ImagesOf(preview).Count);
        Assert.All(result.ImagesOf(preview), file => Assert.Equal("temp", file.Type));
        Assert.Empty(result.ImagesOf(image));
        Assert.Null(result.OutputOf(inverted));
    }

    [Fact]
    public void Widget_inputs_take_a_link_from_an_output_of_their_type_and_big_seeds_exactly()
    {
        var g = new WorkflowBuilder();
        var size = g.Add(new PrimitiveInt { Value = 32 });
        var image = g.Add(new EmptyImage { Width = size.Int, Height = size.Int });
        var sampler = g.Add(new KSampler
        {
            Model = g.Add(new CheckpointLoaderSimple { CkptName = "model.safetensors" }).Model,
            Seed = 18446744073709551615UL,
            SamplerName = KSampler.SamplerNameChoice.DpmppSde,
            Scheduler = "karras",
            Positive = g.Add(new CLIPTextEncode { Text = "a fox", Clip = g.Add(new CheckpointLoaderSimple { CkptName = "b" }).Clip }).Conditioning,
            Negative = g.Add(new CLIPTextEncode { Text = "", Clip = g.Add(new CheckpointLoaderSimple { CkptName = "c" }).Clip }).Conditioning,
            LatentImage = g.Add(new EmptyLatentImage()).Latent,
        });
        g.Add(new SaveImage { Images = image.Image });
        g.Add(new SaveImage { Images = g.Add(new VAEDecode { Samples = sampler.Latent, Vae = g.Add(new CheckpointLoaderSimple { CkptName = "d" }).Vae }).Image });

        var workflow = g.Build();

        Assert.Equal("""{"width":["1",0],"height":["1",0],"batch_size":1,"color":0}""", Inputs(workflow, image.Id).ToJsonString());
        var ksampler = workflow.Node(sampler.Id);
        Assert.Equal(18446744073709551615UL, ksampler.GetInput<ulong>("seed"));
        Assert.Equal("dpmpp_sde", ksampler.GetInput<string>("sampler_name"));
        Assert.Equal("karras", ksampler.GetInput<string>("scheduler"));
        Assert.Equal(20, ksampler.GetInput<int>("steps"));
        Assert.Equal(8.0, ksampler.GetInput<double>("cfg"));
        Assert.Equal(1.0, ksampler.GetInput<double>("denoise"));
        Assert.Equal(["model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "negative", "latent_image", "denoise"], ksampler.InputNames);
    }

    [Fact]
    public void Required_inputs_with_a_default_are_sent_and_optional_inputs_only_when_set()
    {
        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage());
        g.Add(new SaveImage { Images = image.Image });
        var text = g.Add(new SdkTestTextOutput { Text = "n" });
        var withNumber = g.Add(new SdkTestTextOutput { Text = "n", Number = 5 });

        var workflow = g.Build();

        Assert.Equal("""{"width":512,"height":512,"batch_size":1,"color":0}""", Inputs(workflow, image.Id).ToJsonString());
        Assert.Equal("ComfyUI", workflow.Node("2").GetInput<string>("filename_prefix"));
        Assert.False(workflow.Node(text.Id).HasInput("number"));
        Assert.Equal(5, workflow.Node(withNumber.Id).GetInput<int>("number"));
    }

    [Fact]
    public void A_custom_widget_type_starts_at_its_JSON_default_and_takes_another_literal()
    {
        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage());
        var crop = g.Add(new ImageCropV2 { Image = image.Image });
        var other = g.Add(new ImageCropV2 { Image = image.Image, CropRegion = Input<BoundingBox>.FromJson("""{"x":1,"y":2,"width":3,"height":4}""") });
        g.Add(new SaveImage { Images = crop.Image });
        g.Add(new SaveImage { Images = other.Image });

        var workflow = g.Build();

        Assert.Equal("""{"x":0,"y":0,"width":512,"height":512}""", Inputs(workflow, crop.Id)["crop_region"]!.ToJsonString());
        Assert.Equal("""{"x":1,"y":2,"width":3,"height":4}""", Inputs(workflow, other.Id)["crop_region"]!.ToJsonString());
    }

    [Fact]
    public void A_dynamic_combo_sends_its_option_and_the_option_inputs_under_the_input_name()
    {
        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage());
        var resized = g.Add(new ResizeImageMaskNode
        {
            Input = image.Image,
            ResizeType = new ResizeImageMaskNode.ResizeTypeOption.ScaleDimensions { Width = 32, Height = 16 },
        });
        var byFactor = g.Add(new ResizeImageMaskNode { Input = image.Image, ResizeType = new ResizeImageMaskNode.ResizeTypeOption.ScaleByMultiplier { Multiplier = 0.5 } });
        g.Add(new SaveImage { Images = resized.Resized.As<Image>() });
        g.Add(new SaveImage { Images = byFactor.Resized.As<Image>() });

        var workflow = g.Build();

        Assert.Equal(
            """{"input":["1",0],"resize_type":"scale dimensions","resize_type.width":32,"resize_type.height":16,"resize_type.crop":"center","scale_method":"area"}""",
            Inputs(workflow, resized.Id).ToJsonString());
        Assert.Equal("""{"input":["1",0],"resize_type":"scale by multiplier","resize_type.multiplier":0.5,"scale_method":"area"}""", Inputs(workflow, byFactor.Id).ToJsonString());
    }

    [Fact]
    public void An_autogrow_input_takes_a_list_sent_as_numbered_or_named_slots_within_its_limits()
    {
        var g = new WorkflowBuilder();
        var a = g.Add(new EmptyImage());
        var b = g.Add(new EmptyImage { Color = 255 });
        var batch = g.Add(new BatchImagesNode { Images = [a.Image, b.Image] });
        var format = g.Add(new StringFormat { FString = "{a}-{b}", Values = [g.Add(new PrimitiveStringMultiline { Value = "x" }).String, g.Add(new PrimitiveInt { Value = 2 }).Int] });
        g.Add(new SaveImage { Images = batch.Image, FilenamePrefix = format.String });

        var workflow = g.Build();

        Assert.Equal("""{"images.image0":["1",0],"images.image1":["2",0]}""", Inputs(workflow, batch.Id).ToJsonString());
        Assert.Equal("""{"values.a":["4",0],"values.b":["5",0],"f_string":"{a}-{b}"}""", Inputs(workflow, format.Id).ToJsonString());

        var empty = new WorkflowBuilder();
        empty.Add(new SaveImage { Images = empty.Add(new BatchImagesNode { Images = [] }).Image });
        var error = Assert.Throws<InvalidOperationException>(() => empty.Build());
        Assert.Equal("Input 'images' of node '1' (BatchImagesNode) takes 1 to 50 items, but 0 were given.", error.Message);
    }

    [Fact]
    public void Typed_and_untyped_nodes_mix_both_ways()
    {
        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage { Width = 16, Height = 16 });
        g.Add("MyCustomBlur", out var blur, n => n.SetLink("image", image.Image).Set("radius", 3));
        var save = g.Add(new SaveImage { Images = blur.Output<Image>(0), FilenamePrefix = "mixed" });
        g.Add("MyCustomSink", n => n.SetLink("anything", blur.Output(1)));

        var workflow = g.Build();

        Assert.Equal("""{"image":["1",0],"radius":3}""", Inputs(workflow, blur.Id).ToJsonString());
        Assert.Equal("""{"images":["2",0],"filename_prefix":"mixed"}""", Inputs(workflow, save.Id).ToJsonString());
        Assert.Equal("""{"anything":["2",1]}""", Inputs(workflow, "4").ToJsonString());
    }

    [Fact]
    public void Build_leaves_out_typed_nodes_no_output_node_needs_and_says_so()
    {
        var g = new WorkflowBuilder();
        var used = g.Add(new EmptyImage());
        var unused = g.Add(new EmptyImage { Width = 8 });
        var unusedInvert = g.Add(new ImageInvert { Image = unused.Image });
        g.Add("SomeCustomNode", n => n.Set("x", 1));
        g.Add(new SaveImage { Images = used.Image });

        var workflow = g.Build();

        Assert.Equal(["1", "4", "5"], workflow.Ids);
        Assert.Equal(
            ["Node '2' (EmptyImage) was left out of the workflow: no output node uses it.", "Node '3' (ImageInvert) was left out of the workflow: no output node uses it."],
            g.Warnings);
        Assert.Equal("3", unusedInvert.Id);

        var noOutput = new WorkflowBuilder();
        noOutput.Add(new EmptyImage());
        var error = Assert.Throws<InvalidOperationException>(() => noOutput.Build());
        Assert.Contains("no output node", error.Message, StringComparison.Ordinal);
        Assert.Contains("'1' (EmptyImage)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_and_titles_can_be_given_and_nodes_are_read_when_the_workflow_is_built()
    {
        var g = new WorkflowBuilder();
        var node = new EmptyImage { Width = 8 };
        var image = g.Add(node, id: "source", title: "Source");
        g.Add(new SaveImage { Images = image.Image }, id: "save");
        node.Width = 24;

        var first = g.Build();
        node.Width = 48;
        var second = g.Build();

        Assert.Equal(["source", "save"], first.Ids);
        Assert.Equal("Source", first.Node("source").Title);
        Assert.Equal(24, first.Node("source").GetInput<int>("width"));
        Assert.Equal(48, second.Node("source").GetInput<int>("width"));
        Assert.Throws<ArgumentException>(() => g.Add(new EmptyImage(), id: "save"));
    }

    [Fact]
    public void A_link_to_another_builder_is_refused_with_a_message_that_names_both_nodes()
    {
        var other = new WorkflowBuilder();
        var foreign = other.Add(new EmptyImage());
        var g = new WorkflowBuilder();
        g.Add(new EmptyImage());
        g.Add(new SaveImage { Images = foreign.Image });

        var error = Assert.Throws<InvalidOperationException>(() => g.Build());

        Assert.Equal(
            "Input 'images' of node '2' (SaveImage) links to output 0 of node '1' (EmptyImage), a node of another WorkflowBuilder: add that node to this builder.",
            error.Message);
        Assert.Throws<ArgumentException>(() => g.Add("Untyped", n => n.SetLink("image", foreign.Image)));
    }

    [Fact]
    public void Any_type_inputs_and_match_type_outputs_link_anything()
    {
        var g = new WorkflowBuilder();
        var a = g.Add(new EmptyImage());
        var b = g.Add(new EmptyImage { Color = 1 });
        var flag = g.Add(new ComfySwitchNode { Switch = true, OnFalse = a.Image, OnTrue = b.Image });
        var save = g.Add(new SaveImage { Images = flag.Output.As<Image>() });

        var workflow = g.Build();

        Assert.Equal("""{"switch":true,"on_false":["1",0],"on_true":["2",0]}""", Inputs(workflow, flag.Id).ToJsonString());
        Assert.Equal("""["3",0]""", Inputs(workflow, save.Id)["images"]!.ToJsonString());
    }

    [Fact]
    public void Unset_values_and_non_finite_numbers_fail_at_Build_naming_the_input()
    {
        var g = new WorkflowBuilder();
        var sampler = new KSampler
        {
            Model = g.Add(new CheckpointLoaderSimple { CkptName = "m" }).Model,
            SamplerName = default,
            Scheduler = "normal",
            Positive = default!,
            Negative = default!,
            LatentImage = g.Add(new EmptyLatentImage()).Latent,
            Cfg = double.NaN,
        };
        g.Add(new SaveImage { Images = g.Add(new VAEDecode { Samples = g.Add(sampler).Latent, Vae = default! }).Image });

        var error = Assert.Throws<InvalidOperationException>(() => g.Build());
        Assert.Equal("Input 'cfg' of node '3' (KSampler) is NaN: JSON has no NaN or infinity, so the server could not read it.", error.Message);

        sampler.Cfg = 7;
        error = Assert.Throws<InvalidOperationException>(() => g.Build());
        Assert.Equal("Input 'sampler_name' of node '3' (KSampler) has no value (a default choice struct was assigned): set a choice.", error.Message);
    }

    [Fact]
    public void Generated_classes_carry_the_raw_class_name_and_flags_and_hide_hidden_inputs()
    {
        var save = typeof(SaveImage).GetCustomAttribute<ComfyNodeAttribute>()!;
        Assert.Equal(("SaveImage", "Save Image", "image", "nodes", true), (save.ClassType, save.DisplayName, save.Category, save.PythonModule, save.OutputNode));
        var clip = typeof(CLIPTextEncode).GetCustomAttribute<ComfyNodeAttribute>()!;
        Assert.Equal(("CLIPTextEncode", false), (clip.ClassType, clip.OutputNode));
        Assert.True(typeof(ComfySwitchNode).GetCustomAttribute<ComfyNodeAttribute>()!.Experimental);

        // SaveImage's hidden inputs (prompt, extra_pnginfo) are filled in by the server and are not properties.
        Assert.Equal(["FilenamePrefix", "Images"], typeof(SaveImage).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(typeof(Input<ulong>), typeof(KSampler).GetProperty("Seed")!.PropertyType);
        Assert.Equal(typeof(Input<long>), typeof(KSampler).GetProperty("Steps")!.PropertyType);
    }
}
