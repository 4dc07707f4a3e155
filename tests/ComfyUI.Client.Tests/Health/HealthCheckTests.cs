using ComfyUI.Client.HealthChecks;
using ComfyUI.Client.Testing;
using ComfyUI.Client.Tests.Faults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComfyUI.Client.Tests.Health;

/// <summary><c>services.AddHealthChecks().AddComfyUI()</c> and <c>.AddComfyUIReadiness()</c> against the fake server, as an app's health endpoint runs them.</summary>
public sealed class HealthCheckTests
{
    private static readonly TimeSpan Deadline = Waits.Deadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceProvider Services(Uri server, Action<IHealthChecksBuilder> checks, Action<ComfyUIClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddComfyUIClient(o =>
        {
            o.BaseAddress = server;
            o.RequestTimeout = TimeSpan.FromSeconds(5);
            o.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
            o.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        });
        checks(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider provider, string name)
    {
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name, Ct).WaitAsync(Deadline, Ct);
        return report.Entries[name];
    }

    [Fact]
    public async Task A_reachable_server_is_healthy_and_the_report_carries_queue_memory_version_and_socket_state()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var provider = Services(server.BaseAddress, h => h.AddComfyUI());

        var entry = await CheckAsync(provider, "comfyui");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(0, entry.Data["queue_remaining"]);
        Assert.Equal("not_open", entry.Data["websocket"]);
        Assert.Equal("0.33.0", entry.Data["comfyui_version"]);
        Assert.True((long)entry.Data["ram_total"] > 0 && (long)entry.Data["vram_total"] > 0);
        Assert.Equal($"{server.BaseAddress.Host}:{server.BaseAddress.Port}", entry.Data["server"]);
        Assert.StartsWith($"ComfyUI 0.33.0 at {server.BaseAddress.Host}:{server.BaseAddress.Port}: 0 prompts queued", entry.Description, StringComparison.Ordinal);

        // After a run the client's socket is open and connected.
        await provider.GetRequiredService<ComfyUIClient>().RunAsync(
            new WorkflowBuilder().Add("SdkTestTextOutput", n => n.Set("text", "t").Set("seed", 301)).Build(), cancellationToken: Ct).WaitAsync(Deadline, Ct);
        Assert.Equal("connected", (await CheckAsync(provider, "comfyui")).Data["websocket"]);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_gets_the_failure_status_and_a_message_naming_it()
    {
        await using var proxy = new TcpFaultProxy(new Uri("http://127.0.0.1:9/")) { RefuseNew = true };
        await using var provider = Services(proxy.BaseAddress, h => h.AddComfyUI().AddComfyUI("soft", failureStatus: HealthStatus.Degraded));

        var entry = await CheckAsync(provider, "comfyui");
        var soft = await CheckAsync(provider, "soft");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains($"ComfyUI at 127.0.0.1:{proxy.BaseAddress.Port} did not answer GET /api/prompt", entry.Description, StringComparison.Ordinal);
        Assert.NotNull(entry.Exception);
        Assert.Equal(HealthStatus.Degraded, soft.Status);
    }

    [Fact]
    public async Task A_queue_longer_than_the_limit_degrades_the_server_and_says_why()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var provider = Services(server.BaseAddress, h => h.AddComfyUI(configure: o => o.MaxQueueDepth = 1));
        var client = provider.GetRequiredService<ComfyUIClient>();
        var hold = server.Faults.HoldNode("SdkTestSlow");
        Workflow Slow(int seed) => new WorkflowBuilder().Add("SdkTestSlow", n => n.Set("seconds", 0.01).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", seed)).Build();

        var running = await client.SubmitAsync(Slow(302), cancellationToken: Ct);
        var pending = await client.SubmitAsync(Slow(303), cancellationToken: Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Deadline, Ct);
        var entry = await CheckAsync(provider, "comfyui");
        hold.Release();
        await Task.WhenAll(running.Completion, pending.Completion).WaitAsync(Deadline, Ct);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(2, entry.Data["queue_remaining"]);
        Assert.Contains("2 prompts queued (more than 1)", entry.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(provider, "comfyui")).Status);
    }

    [Fact]
    public async Task A_run_socket_that_is_reconnecting_degrades_the_server()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var provider = Services(server.BaseAddress, h => h.AddComfyUI(configure: o => o.ReadSystemStats = false));
        var client = provider.GetRequiredService<ComfyUIClient>();
        await client.RunAsync(new WorkflowBuilder().Add("SdkTestTextOutput", n => n.Set("text", "t").Set("seed", 304)).Build(), cancellationToken: Ct).WaitAsync(Deadline, Ct);

        // A handle on the same client id shares the runs' socket: it hears the socket go.
        await using var socket = await client.ConnectWebSocketAsync(Ct);
        await using var subscription = socket.Subscribe();

        server.Faults.RefuseWebSocketUpgrades(503);
        server.Faults.DropWebSockets();
        await subscription.ReadAllAsync(Ct).OfType<ReconnectingMessage>().FirstAsync(Ct).AsTask().WaitAsync(Deadline, Ct);

        var entry = await CheckAsync(provider, "comfyui");
        server.Faults.AcceptWebSocketUpgrades();

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("reconnecting", entry.Data["websocket"]);
        Assert.Contains("the runs' WebSocket is reconnecting (runs are followed by polling)", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readiness_check_waits_for_a_starting_server_and_reports_not_ready_until_it_answers()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var proxy = new TcpFaultProxy(server.BaseAddress) { RefuseNew = true };
        await using var client = new ComfyUIClient(proxy.BaseAddress);
        var gate = new ReadinessGate(TimeProvider.System);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("ready", _ => null!, HealthStatus.Unhealthy, null) };
        var quick = new ComfyUIReadinessCheck(client, new ComfyUIReadinessOptions { CheckWait = TimeSpan.Zero }, gate, null);
        var patient = new ComfyUIReadinessCheck(client, new ComfyUIReadinessOptions { CheckWait = Deadline }, gate, null);

        var starting = await quick.CheckHealthAsync(context, Ct);
        var waiting = patient.CheckHealthAsync(context, Ct);
        Assert.False(waiting.IsCompleted);
        proxy.RefuseNew = false;
        var ready = await waiting.WaitAsync(Deadline, Ct);
        var after = await quick.CheckHealthAsync(context, Ct);

        Assert.Equal(HealthStatus.Unhealthy, starting.Status);
        Assert.Contains("is not ready yet", starting.Description, StringComparison.Ordinal);
        Assert.Equal(false, starting.Data["ready"]);
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal(HealthStatus.Healthy, after.Status);
    }

    [Fact]
    public async Task Readiness_through_dependency_injection_is_healthy_for_a_running_server()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var provider = Services(server.BaseAddress, h => h.AddComfyUIReadiness(tags: ["ready"]));

        var entry = await CheckAsync(provider, "comfyui-ready");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(true, entry.Data["ready"]);
    }
}
