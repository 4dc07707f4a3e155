using System.Globalization;

namespace ComfyUI.Client.Benchmarks;

/// <summary>Test prompts.</summary>
public static class Prompts
{
    /// <summary>A 50-node API-format workflow: loaders, samplers with big seeds, prompts, links, lists and titles.</summary>
    public static Workflow Fifty()
    {
        var builder = new WorkflowBuilder();
        builder.Add("CheckpointLoaderSimple", out var checkpoint, n => n.Set("ckpt_name", "sd_xl_base_1.0.safetensors").SetTitle("Load Checkpoint"));
        WorkflowNode? previous = null;
        for (var i = 0; i < 12; i++)
        {
            builder.Add("CLIPTextEncode", out var positive, n => n.Set("text", "a photograph of an astronaut riding a horse on the moon, highly detailed, 8k, number " + i.ToString(CultureInfo.InvariantCulture)).SetLink("clip", checkpoint, 1).SetTitle("Positive " + i.ToString(CultureInfo.InvariantCulture)));
            builder.Add("EmptyLatentImage", out var latent, n => n.Set("width", 1024).Set("height", 1024).Set("batch_size", 1));
            var index = i;
            builder.Add("KSampler", out var sampler, n => n
                .Set("seed", 18446744073709551615UL - (ulong)index)
                .Set("steps", 30)
                .Set("cfg", 7.5)
                .Set("sampler_name", "dpmpp_2m")
                .Set("scheduler", "karras")
                .Set("denoise", 1.0)
                .SetLink("model", checkpoint, 0)
                .SetLink("positive", positive, 0)
                .SetLink("negative", previous ?? positive, 0)
                .SetLink("latent_image", latent, 0));
            builder.Add("VAEDecode", out var decode, n => n.SetLink("samples", sampler, 0).SetLink("vae", checkpoint, 2));
            previous = positive;
            _ = decode;
        }

        builder.Add("SaveImage", n => n.Set("filename_prefix", "bench").SetLink("images", "52", 0));
        var workflow = builder.Build();
        return workflow.Count == 50 ? workflow : throw new InvalidOperationException($"Expected 50 nodes, got {workflow.Count}.");
    }
}
