// AddComfyUIClient in a generic host, with the resilience recipe: GETs retried, POST /prompt never blindly retried.
using ComfyUI.Client;
using ComfyUI.Client.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
var server = fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!);

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning); // the SDK logs prompts and reconnects through ILogger; keep the sample quiet
builder.Services.AddComfyUIClient(o => o.BaseAddress = server)
    .AddStandardResilienceHandler(o =>
    {
        o.Retry.DisableForUnsafeHttpMethods();             // never retry POST /prompt, /interrupt, uploads
        o.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);   // room for /object_info and downloads
        o.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(4);
        o.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);
    });
using var host = builder.Build();
await host.StartAsync();   // options are validated here (a missing BaseAddress fails fast)

var client = host.Services.GetRequiredService<ComfyUIClient>();
var stats = await client.Discovery.GetSystemStatsAsync();
Console.WriteLine($"ComfyUI {stats.System.ComfyuiVersion} at {client.BaseAddress}");

var workflow = new WorkflowBuilder()
    .Add("EmptyImage", out var image, n => n.Set("width", 64).Set("height", 64).Set("batch_size", 1).Set("color", 0xFF8800))
    .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "samples/di"))
    .Build();
var result = await client.RunAsync(workflow);
Console.WriteLine($"{result.Status}: {string.Join(", ", result.Images.Select(i => i.Filename))}");
await host.StopAsync();
