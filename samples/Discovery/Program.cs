// What the server can do: node classes with typed input specs, model folders, features.
using ComfyUI.Client;
using ComfyUI.Client.Testing;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
await using var client = new ComfyUIClient(fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!));

var nodes = await client.Discovery.GetObjectInfoAsync();
Console.WriteLine($"{nodes.Count} node classes; output nodes: {string.Join(", ", nodes.Values.Where(n => n.OutputNode).Select(n => n.Name).Take(8))}…");

var emptyImage = await client.Discovery.GetNodeDefinitionAsync("EmptyImage");
foreach (var (name, spec) in emptyImage!.RequiredInputs)
{
    Console.WriteLine($"  EmptyImage.{name}: {spec.Kind} default {spec.Default} range [{spec.Min}, {spec.Max}]");
}

Console.WriteLine($"model folders: {string.Join(", ", (await client.Discovery.GetModelFoldersAsync()).Take(6))}…");
var features = await client.Discovery.GetFeaturesAsync();
Console.WriteLine($"previews with metadata: {features.SupportsPreviewMetadata}");
