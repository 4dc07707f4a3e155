// Read the history, and download every image of the newest entries.
using ComfyUI.Client;
using ComfyUI.Client.Testing;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
await using var client = new ComfyUIClient(fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!));
if (fake is not null)
{
    // Give the fresh fake server something to remember.
    await client.RunAsync(new WorkflowBuilder()
        .Add("EmptyImage", out var image, n => n.Set("width", 16).Set("height", 16).Set("batch_size", 1).Set("color", 0x00AA00))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "samples/history"))
        .Build());
}

foreach (var entry in await client.History.ListAsync(maxItems: 5))
{
    Console.WriteLine($"{entry.PromptId}: {entry.Status?.StatusStr}, {entry.Images.Count} image(s)");
    foreach (var image in entry.Images)
    {
        var path = Path.Combine("output", "history", image.Subfolder, image.Filename);
        await client.Files.DownloadToFileAsync(image, path);   // streamed to disk, never buffered whole
        Console.WriteLine($"  saved {path}  ({client.Files.GetViewUri(image)})");
    }
}

var missing = await client.History.GetAsync(Guid.NewGuid().ToString());
Console.WriteLine($"an unknown prompt id has no entry: {missing is null}");
