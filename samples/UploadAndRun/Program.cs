// Upload an image, then run LoadImage → ImageInvert → SaveImage on it and save the result.
using ComfyUI.Client;
using ComfyUI.Client.Testing;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
await using var client = new ComfyUIClient(fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!));

// Any PNG works; this one is made by the server itself so the sample needs no file.
var source = await client.RunAsync(new WorkflowBuilder()
    .Add("EmptyImage", out var empty, n => n.Set("width", 48).Set("height", 48).Set("batch_size", 1).Set("color", 0x3366CC))
    .Add("SaveImage", n => n.SetLink("images", empty, 0).Set("filename_prefix", "samples/source"))
    .Build());
using var png = new MemoryStream();
await client.Files.DownloadAsync(source.Images[0], png);
png.Position = 0;

var uploaded = await client.Files.UploadImageAsync(png, "my photo.png", new UploadOptions { Subfolder = "samples", Overwrite = true });
Console.WriteLine($"uploaded as '{uploaded.InputValue}'");   // the server may rename: always use what it answers

var result = await client.RunAsync(new WorkflowBuilder()
    .Add("LoadImage", out var load, n => n.Set("image", uploaded.InputValue))
    .Add("ImageInvert", out var inverted, n => n.SetLink("image", load, 0))
    .Add("SaveImage", n => n.SetLink("images", inverted, 0).Set("filename_prefix", "samples/inverted"))
    .Build(), new PromptOptions { DownloadOutputsTo = "output" });
foreach (var saved in result.SavedFiles)
{
    Console.WriteLine($"saved {saved.Path}");
}
