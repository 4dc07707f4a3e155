// OpenTelemetry traces and metrics of ComfyUI runs in a generic host, and health checks. Exports to the console, or over OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (for example http://localhost:4317 for a local collector, Jaeger or the Aspire dashboard).
// Runs against the embedded fake server unless COMFYUI_URL is set.
using System.Diagnostics;
using ComfyUI.Client;
using ComfyUI.Client.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
var server = fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!);
var otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
using var app = new ActivitySource("Observability.Sample");
var tree = new SpanTree();

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddComfyUIClient(o =>
{
    o.BaseAddress = server;
    o.Telemetry.NodeSpans = true;   // one child span per executed node (off by default: nodes are events on the run's span)
});
builder.Services.AddHealthChecks()
    .AddComfyUI(configure: o => o.MaxQueueDepth = 50, tags: ["live"])
    .AddComfyUIReadiness(tags: ["ready"]);
builder.Services.AddOpenTelemetry()
    .ConfigureResource(r => r.AddService("comfyui-observability-sample"))
    .WithTracing(tracing =>
    {
        tracing.AddSource(app.Name)
            .AddSource(ComfyUIDiagnostics.ActivitySourceName)
            .AddHttpClientInstrumentation()   // the HTTP calls of each run (its POST, its checks, its downloads) as children
            .AddProcessor(tree);
        if (otlp)
        {
            tracing.AddOtlpExporter();
        }
        else
        {
            tracing.AddConsoleExporter();
        }
    })
    .WithMetrics(metrics =>
    {
        metrics.AddMeter(ComfyUIDiagnostics.MeterName);
        if (otlp)
        {
            metrics.AddOtlpExporter();
        }
        else
        {
            metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000);
        }
    });

using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<ComfyUIClient>();
var health = host.Services.GetRequiredService<HealthCheckService>();

// Waits for a starting server (the readiness check), then reports the server's health with its data.
var ready = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
Console.WriteLine($"ready: {ready.Status}");

// A colour of its own, so that the first run executes even on a server that ran this sample before.
var workflow = new WorkflowBuilder()
    .Add("EmptyImage", out var image, n => n.Set("width", 64).Set("height", 64).Set("batch_size", 1).Set("color", Random.Shared.Next(0x1000000)))
    .Add("ImageInvert", out var inverted, n => n.SetLink("image", image, 0))
    .Add("SaveImage", n => n.SetLink("images", inverted, 0).Set("filename_prefix", "samples/observability"))
    .Build();
var folder = Path.Combine(Path.GetTempPath(), "comfyui-observability");

using (var root = app.StartActivity("render two images"))
{
    // A run under the app's own span: the trace continues from it (W3C trace context, also sent to the server on the POST).
    var first = await client.RunAsync(workflow, new PromptOptions { DownloadOutputsTo = folder });
    // The same prompt again: ComfyUI answers every node from its cache (comfyui.run.cached_nodes, metric comfyui.run.cached_nodes).
    var second = await client.RunAsync(workflow);
    Console.WriteLine($"first: {first.Status}, saved {first.SavedFiles.Count} file(s); second: {second.Status}, {second.CachedNodes.Count} nodes cached");
    try
    {
        await client.RunAsync(new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build());
    }
    catch (ComfyUIPromptValidationException ex)
    {
        Console.WriteLine($"rejected as expected: {ex.ErrorType}");
    }

    root?.Stop();
    Console.WriteLine();
    Console.WriteLine("The span tree of this trace:");
    tree.Print(root!);
}

var report = await health.CheckHealthAsync(r => r.Tags.Contains("live"));
foreach (var (name, entry) in report.Entries)
{
    Console.WriteLine($"{name}: {entry.Status} — {entry.Description}");
    Console.WriteLine("  " + string.Join(", ", entry.Data.Select(d => $"{d.Key}={d.Value}")));
}

await host.StopAsync();   // flushes the exporters: the console shows the metrics now
