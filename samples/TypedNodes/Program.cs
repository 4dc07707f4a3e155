// Typed nodes: classes generated at build time from comfyui.object_info.json (see the project file). A wrong link or a misspelt
// input is a compile error; IntelliSense shows each input's default, range and choices.
using ComfyUI.Client;
using ComfyUI.Client.Testing;
using TypedNodes.Comfy;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
await using var client = new ComfyUIClient(fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!));

// Model-free: runs on the embedded fake server and on any ComfyUI.
var g = new WorkflowBuilder();
var image = g.Add(new EmptyImage { Width = 64, Height = 64, BatchSize = 1, Color = 0xFF0000 });
var inverted = g.Add(new ImageInvert { Image = image.Image });
var save = g.Add(new SaveImage { Images = inverted.Image, FilenamePrefix = "samples/typed" });
PromptResult result = await client.RunAsync(g.Build(), new PromptOptions { DownloadOutputsTo = "output" });
foreach (var file in result.ImagesOf(save))
{
    Console.WriteLine($"SaveImage wrote {file.Subfolder}/{file.Filename}");
}

// txt2img: needs a checkpoint on the server. Pass its name to run it (comfyui models checkpoints lists them).
var checkpointName = args.Length > 0 ? args[0] : "v1-5-pruned-emaonly.safetensors";
var t = new WorkflowBuilder();
var checkpoint = t.Add(new CheckpointLoaderSimple { CkptName = checkpointName });
var latent = t.Add(new KSampler
{
    Model = checkpoint.Model,
    Seed = 18446744073709551615UL,
    Steps = 20,
    Cfg = 7.0,
    SamplerName = KSampler.SamplerNameChoice.Euler,
    Scheduler = KSampler.SchedulerChoice.Karras,
    Positive = t.Add(new CLIPTextEncode { Text = "a red fox in the snow, photo", Clip = checkpoint.Clip }).Conditioning,
    Negative = t.Add(new CLIPTextEncode { Text = "blurry, low quality", Clip = checkpoint.Clip }).Conditioning,
    LatentImage = t.Add(new EmptyLatentImage { Width = 512, Height = 512, BatchSize = 1 }).Latent,
});
var photo = t.Add(new SaveImage { Images = t.Add(new VAEDecode { Samples = latent.Latent, Vae = checkpoint.Vae }).Image, FilenamePrefix = "samples/txt2img" });
Workflow txt2img = t.Build();
if (args.Length == 0)
{
    Console.WriteLine("txt2img prompt (pass a checkpoint name to run it):");
    Console.WriteLine(txt2img.ToJson());
    return;
}

var generated = await client.RunAsync(txt2img, new PromptOptions { DownloadOutputsTo = "output" });
Console.WriteLine($"txt2img wrote {generated.ImagesOf(photo).Count} image(s) to ./output");
