// A NativeAOT consumer of ComfyUI.Client: every area a typical app touches, against the server given as the first argument.
// Exits 0 when a workflow ran end to end with its outputs; prints what failed otherwise.
using ComfyUI.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

var server = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8188/");
var services = new ServiceCollection();
services.AddComfyUIClient(o => o.BaseAddress = server);
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<ComfyUIClient>();
if (provider.GetRequiredService<IOptionsMonitor<ComfyUIClientOptions>>().CurrentValue.ClientId != client.ClientId)
{
    throw new InvalidOperationException("The options' client id is not the client's.");
}

await client.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
var nodes = await client.Discovery.GetObjectInfoAsync();
Console.WriteLine($"{nodes.Count} node classes; SaveImage inputs: {string.Join(", ", nodes["SaveImage"].RequiredInputs.Keys)}");

await using var socket = await client.ConnectWebSocketAsync();
var workflow = new WorkflowBuilder()
    .Add("EmptyImage", out var image, n => n.Set("width", 8).Set("height", 8).Set("batch_size", 1).Set("color", 255))
    .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "aot/smoke"))
    .Build();
var run = await client.SubmitAsync(workflow);
var events = 0;
await foreach (var e in run.ReadEventsAsync())
{
    events++;
}

var result = await run.WaitAsync();
using var png = new MemoryStream();
await client.Files.DownloadAsync(result.Images[0], png);
var history = await client.History.GetAsync(run.PromptId);
try
{
    await client.SubmitAsync(new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build());
    throw new InvalidOperationException("An unknown node class was accepted.");
}
catch (ComfyUIPromptValidationException rejected)
{
    Console.WriteLine($"rejected as expected: {rejected.Node}");
}

Console.WriteLine($"ran {run.PromptId}: {result.Status}, {events} events, {png.Length} bytes of PNG, history {(history is null ? "missing" : "present")}");
return result.Status == PromptStatus.Succeeded && png.Length > 8 && history is not null ? 0 : 1;
