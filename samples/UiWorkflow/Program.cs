// Run workflows the way users have them: one saved from the ComfyUI editor (UI format), and one dragged out of a PNG that ComfyUI wrote.
// Both are converted to the API prompt exactly as the editor would send it, with the server's own /object_info.
using System.Text.Json.Nodes;
using ComfyUI.Client;
using ComfyUI.Client.Testing;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
await using var client = new ComfyUIClient(fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!));

// 1. A workflow saved from the editor (Workflow → Save or Export, not "Export (API)"): a primitive, a reroute, a bypassed node, a note.
var path = Path.Combine(AppContext.BaseDirectory, "invert-workflow.json");
Workflow workflow = await Workflow.LoadAsync(path, client);      // reads /object_info once (cached per client) to convert it
Console.WriteLine($"{Path.GetFileName(path)}: {workflow.SourceFormat}, nodes {string.Join(", ", workflow.Nodes.Select(n => $"{n.Id} {n.ClassType}"))}");
foreach (WorkflowDiagnostic warning in workflow.ConversionDiagnostics)
{
    Console.WriteLine($"  {warning}");
}

workflow.NodeByTitle("Canvas").Set("color", 0xCC6633);             // change it like any API prompt
// Send the editor's workflow along, as the editor does: the server embeds it (and the prompt) in the PNG it saves.
var extra = new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = workflow.UiWorkflow } };
PromptResult first = await client.RunAsync(workflow, new PromptOptions { ExtraData = extra, DownloadOutputsTo = "output" });
string png = first.SavedFiles[0].Path;
Console.WriteLine($"saved {png}");

// 2. A PNG dragged out of ComfyUI: read what it carries, then load its workflow (converted) or its prompt (as it ran).
ComfyImageMetadata metadata = await ComfyImageMetadata.ReadAsync(png);
Console.WriteLine($"{Path.GetFileName(png)}: prompt {(metadata.Prompt is null ? "absent" : "present")}, workflow {(metadata.Workflow is null ? "absent" : "present")}");
Workflow fromImage = await Workflow.LoadAsync(png, client);
Workflow asItRan = await Workflow.LoadAsync(png, client, new WorkflowLoadOptions { ImagePart = WorkflowImagePart.Prompt });
Console.WriteLine($"{fromImage.SourceFormat}: {fromImage.Count} nodes; {asItRan.SourceFormat}: {asItRan.Count} nodes");

fromImage.NodeByTitle("Save").Set("filename_prefix", "samples/from-png");
PromptResult second = await client.RunAsync(fromImage, new PromptOptions { DownloadOutputsTo = "output" });
Console.WriteLine($"{second.Status}: saved {second.SavedFiles[0].Path}");
