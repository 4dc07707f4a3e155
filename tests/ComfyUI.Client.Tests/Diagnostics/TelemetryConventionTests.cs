using System.Diagnostics;
using System.Reflection;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Testing;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Tests.Diagnostics;

/// <summary>The names users build dashboards and alerts on are documented, stable and free of secrets.</summary>
public sealed class TelemetryConventionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ObservabilitySection()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var start = readme.IndexOf("\n## Observability", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has an '## Observability' section");
        var end = readme.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    [Fact]
    public void The_readme_lists_every_span_event_attribute_and_instrument_name()
    {
        var section = ObservabilitySection();
        var names = typeof(TelemetryNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.True(names.Count > 50, $"{names.Count} names");
        Assert.All(names, name => Assert.Contains("`" + name, section, StringComparison.Ordinal));
        Assert.All(names, name => Assert.Matches("^(_OTHER|[a-z][a-z_]*(\\.[a-z][a-z_]*)*)$", name));
    }

    [Fact]
    public void Duration_instruments_are_seconds_and_every_instrument_has_a_unit_and_a_description()
    {
        var instruments = typeof(ComfyMetrics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<System.Diagnostics.Metrics.Instrument>()
            .ToList();

        Assert.Equal(10, instruments.Count);
        Assert.All(instruments, i =>
        {
            Assert.Equal(ComfyUIDiagnostics.MeterName, i.Meter.Name);
            Assert.False(string.IsNullOrEmpty(i.Unit), i.Name);
            Assert.False(string.IsNullOrEmpty(i.Description), i.Name);
            if (i.Name.EndsWith(".duration", StringComparison.Ordinal))
            {
                Assert.Equal("s", i.Unit);
            }
        });
        Assert.Equal(ComfyTelemetry.Source.Version, ComfyTelemetry.Meter.Version);
        Assert.Equal(typeof(ComfyUIClient).Assembly.GetName().Version!.ToString(3), ComfyTelemetry.Version.Split('-')[0]);
    }

    [Fact]
    public void Log_events_have_unique_ids_and_names_and_the_readme_lists_them()
    {
        var section = ObservabilitySection();
        var events = typeof(ComfyUIClient).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToList();

        Assert.True(events.Count >= 20, $"{events.Count} log events");
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.EventName), $"event {e.EventId} has no name"));
        Assert.Equal(events.Count, events.Select(e => e.EventName).Distinct().Count());
        Assert.All(events, e => Assert.Matches($"\\|\\s*{e.EventId}\\s*\\|\\s*`{e.EventName}`", section));
    }

    [Fact]
    public async Task Spans_events_and_metrics_never_carry_the_api_key()
    {
        const string Key = "sk-live-SECRET-0123456789";
        using var telemetry = new TelemetryCollector();
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ApiKey = Key, ClientId = "telemetry-secrets" };
        options.DefaultHeaders["X-Api-Token"] = Key;
        options.Telemetry.NodeSpans = true;
        await using var client = new ComfyUIClient(options);

        await client.RunAsync(RunTracingTests.ProgressWorkflow(401), new PromptOptions { DownloadOutputsTo = Path.Combine(Path.GetTempPath(), "comfyui-secrets-" + Guid.NewGuid().ToString("N")) }, Ct);
        await Assert.ThrowsAnyAsync<ComfyUIException>(() => client.RunAsync(new WorkflowBuilder().Add("NoSuchNode", n => n.Set("x", 1)).Build(), cancellationToken: Ct));
        await Assert.ThrowsAnyAsync<ComfyUIException>(() => client.RunAsync(
            new WorkflowBuilder().Add("SdkTestRaiseError", n => n.Set("message", "m").Set("exception_type", "ValueError").Set("seed", 402)).Build(), cancellationToken: Ct));
        await Assert.ThrowsAnyAsync<ComfyUIException>(() => client.Files.DownloadAsync(new OutputFile { Filename = "absent.png" }, Stream.Null, Ct));

        var texts = telemetry.Spans.SelectMany(Texts).Concat(telemetry.AllMeasurements(server.BaseAddress.Port).SelectMany(m => m.Tags.Select(t => $"{t.Key}={t.Value}"))).ToList();
        Assert.True(texts.Count > 50);
        Assert.All(texts, text => Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal));

        static IEnumerable<string> Texts(Activity span) =>
            [span.DisplayName, span.StatusDescription ?? "",
             .. span.TagObjects.Select(t => $"{t.Key}={t.Value}"),
             .. span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}"))];
    }
}
