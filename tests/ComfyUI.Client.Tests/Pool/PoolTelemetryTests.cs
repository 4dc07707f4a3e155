using ComfyUI.Client.Tests.Diagnostics;
using ComfyUI.Client.Tests.Faults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static ComfyUI.Client.Tests.Pool.PoolTestKit;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>The pool's observable instruments (per server: queue depth, runs in flight, health) and its health check.</summary>
public sealed class PoolTelemetryTests
{
    [Fact]
    public async Task Each_server_reports_its_queue_depth_runs_in_flight_and_health()
    {
        using var telemetry = new TelemetryCollector();
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var proxy = new TcpFaultProxy(b.BaseAddress);
        var options = Options(a, b);
        options.Servers[1].BaseAddress = proxy.BaseAddress;
        await using var pool = new ComfyUIPool(options);
        await pool.ReadyAsync();
        var hold = a.Faults.HoldNode("SdkTestSlow");
        await pool.DrainServerAsync("b", Ct).WaitAsync(Waits.Deadline, Ct);
        var run = await pool.SubmitAsync(Slow(0, seed: 1), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        await hold.WaitUntilReachedAsync(Ct).WaitAsync(Waits.Deadline, Ct);
        await pool.WaitUntilAsync(p => p.Server("a").QueueRemaining == 1);
        proxy.RefuseNew = true;
        proxy.CutAll();
        await pool.WaitUntilAsync(p => p.Server("b").Health == PoolServerHealth.Unhealthy);

        telemetry.Collect();
        var port = a.BaseAddress.Port;
        Assert.Equal(1, Assert.Single(telemetry.Measurements("comfyui.pool.server.queue_depth", port)).Value);
        Assert.Equal(1, Assert.Single(telemetry.Measurements("comfyui.pool.server.active_runs", port)).Value);
        var health = telemetry.Measurements("comfyui.pool.server.health", port).ToDictionary(m => (string)m["comfyui.server.health"]!, m => m.Value);
        Assert.Equal(new Dictionary<string, double> { ["healthy"] = 1, ["degraded"] = 0, ["unhealthy"] = 0 }, health);
        var down = telemetry.Measurements("comfyui.pool.server.health", proxy.BaseAddress.Port).ToDictionary(m => (string)m["comfyui.server.health"]!, m => m.Value);
        Assert.Equal(1, down["unhealthy"]);
        Assert.Equal(0, down["healthy"]);
        Assert.Equal("127.0.0.1", Assert.Single(telemetry.Measurements("comfyui.pool.server.queue_depth", port))["server.address"]);

        hold.Release();
        await run.WaitAsync(Ct).WaitAsync(Waits.Deadline, Ct);
        await pool.DisposeAsync();
        telemetry.Collect();
        var after = telemetry.Measurements("comfyui.pool.server.active_runs", port).Count;
        telemetry.Collect();
        Assert.Equal(after, telemetry.Measurements("comfyui.pool.server.active_runs", port).Count); // a disposed pool reports no more
    }

    [Fact]
    public async Task The_pool_health_check_is_healthy_with_every_server_up_degraded_with_one_down_and_failing_with_none()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        await using var proxyA = new TcpFaultProxy(a.BaseAddress);
        await using var proxyB = new TcpFaultProxy(b.BaseAddress);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddComfyUIPool(o =>
        {
            o.Servers.Add(new PoolServerOptions { BaseAddress = proxyA.BaseAddress, Name = "a" });
            o.Servers.Add(new PoolServerOptions { BaseAddress = proxyB.BaseAddress, Name = "b" });
            FastClient(o.Client);
            o.Client.RequestTimeout = TimeSpan.FromSeconds(3);
        });
        services.AddHealthChecks().AddComfyUIPool().AddComfyUIPool("soft", failureStatus: HealthStatus.Degraded);
        await using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<ComfyUIPool>();
        await pool.ReadyAsync();
        var checks = provider.GetRequiredService<HealthCheckService>();

        async Task<HealthReportEntry> CheckAsync(string name) =>
            (await checks.CheckHealthAsync(r => r.Name == name, Ct).WaitAsync(Waits.Deadline, Ct)).Entries[name];

        var healthy = await CheckAsync("comfyui-pool");
        proxyB.RefuseNew = true;
        proxyB.CutAll();
        var degraded = await CheckAsync("comfyui-pool");
        proxyA.RefuseNew = true;
        proxyA.CutAll();
        var none = await CheckAsync("comfyui-pool");
        var soft = await CheckAsync("soft");

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(2, healthy.Data["servers_up"]);
        Assert.Equal("healthy", healthy.Data["a"]);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1, degraded.Data["servers_up"]);
        Assert.Equal("unhealthy", degraded.Data["b"]);
        Assert.StartsWith("1 of 2 ComfyUI servers up; b: ", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, none.Status);
        Assert.Equal(0, none.Data["servers_up"]);
        Assert.Equal(HealthStatus.Degraded, soft.Status);
    }
}
