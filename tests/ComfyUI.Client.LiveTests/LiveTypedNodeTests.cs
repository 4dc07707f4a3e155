using ComfyUI.Client.LiveTests.Nodes;

namespace ComfyUI.Client.LiveTests;

/// <summary>Graphs written with typed nodes (generated at build time from the real 0.33.0 /object_info), run on the real server.</summary>
public sealed class LiveTypedNodeTests
{
    [Fact]
    public async Task A_typed_model_free_graph_runs_and_ImagesOf_reads_each_output_node()
    {
        await using var client = Live.Client();
        var g = new WorkflowBuilder();
        var image = g.Add(new EmptyImage { Width = 64, Height = 32, BatchSize = 2, Color = (long)(Live.FreshSeed() % 0xFFFFFF) });
        var inverted = g.Add(new ImageInvert { Image = image.Image });
        var scaled = g.Add(new ImageScale { Image = inverted.Image, UpscaleMethod = ImageScale.UpscaleMethodChoice.NearestExact, Width = 16, Height = 8, Crop = "disabled" });
        var resized = g.Add(new ResizeImageMaskNode { Input = image.Image, ResizeType = new ResizeImageMaskNode.ResizeTypeOption.ScaleByMultiplier { Multiplier = 0.5 } });
        var batch = g.Add(new BatchImagesNode { Images = [scaled.Image, g.Add(new ImageScale { Image = resized.Resized.As<Image>(), UpscaleMethod = "area", Width = 16, Height = 8, Crop = "center" }).Image] });
        var save = g.Add(new SaveImage { Images = batch.Image, FilenamePrefix = "sdk_test/typed" });
        var preview = g.Add(new PreviewImage { Images = image.Image });
        g.Add(new ImageInvert { Image = image.Image });   // used by nothing: left out

        var result = await client.RunAsync(g.Build(), cancellationToken: Live.Ct).WaitAsync(Live.Deadline, Live.Ct);
        try
        {
            Assert.True(result.IsSuccess, result.Reason ?? result.Error?.ToString());
            Assert.Equal(4, result.ImagesOf(save).Count);
            Assert.All(result.ImagesOf(save), file => Assert.Equal(("sdk_test", "output"), (file.Subfolder, file.Type)));
            Assert.Equal(2, result.ImagesOf(preview).Count);
            Assert.Single(g.Warnings);
        }
        finally
        {
            await Live.ForgetAsync(client, result.PromptId);
        }
    }

    [Fact]
    public async Task A_typed_txt2img_graph_is_rejected_only_for_the_missing_model_file()
    {
        await using var client = Live.Client();
        var g = new WorkflowBuilder();
        var checkpoint = g.Add(new CheckpointLoaderSimple { CkptName = "no-such-model.safetensors" });
        var sampler = g.Add(new KSampler
        {
            Model = checkpoint.Model,
            Seed = 18446744073709551615UL,
            Steps = 20,
            Cfg = 7.5,
            SamplerName = KSampler.SamplerNameChoice.Euler,
            Scheduler = KSampler.SchedulerChoice.Karras,
            Positive = g.Add(new CLIPTextEncode { Text = "a red fox in the snow", Clip = checkpoint.Clip }).Conditioning,
            Negative = g.Add(new CLIPTextEncode { Text = "blurry", Clip = checkpoint.Clip }).Conditioning,
            LatentImage = g.Add(new EmptyLatentImage { Width = 512, Height = 512 }).Latent,
        });
        g.Add(new SaveImage { Images = g.Add(new VAEDecode { Samples = sampler.Latent, Vae = checkpoint.Vae }).Image, FilenamePrefix = "sdk_test/txt2img" });

        var ex = await Assert.ThrowsAsync<ComfyUIPromptValidationException>(() => client.SubmitAsync(g.Build(), cancellationToken: Live.Ct));

        Assert.Equal("prompt_outputs_failed_validation", ex.ErrorType);
        var (nodeId, node) = Assert.Single(ex.NodeErrors);
        Assert.Equal((checkpoint.Id, "CheckpointLoaderSimple"), (nodeId, node.ClassType));
        var error = Assert.Single(node.Errors);
        Assert.Equal(("value_not_in_list", "ckpt_name"), (error.Type, error.InputName));
    }
}
