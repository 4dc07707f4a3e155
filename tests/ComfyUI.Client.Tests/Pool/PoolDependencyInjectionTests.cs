using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ComfyUI.Client.Tests.Pool.PoolTestKit;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>services.AddComfyUIPool: servers bound from configuration (source-generated binding), validated at start, one pool per container.</summary>
public sealed class PoolDependencyInjectionTests
{
    [Fact]
    public async Task Servers_bound_from_configuration_are_the_pools_servers_with_their_weight_limit_and_key()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync(o => o.ExcludedNodeClasses.Add("SdkTestSlow"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ComfyUIPool:Servers:0:BaseAddress"] = a.BaseAddress.ToString(),
            ["ComfyUIPool:Servers:0:Name"] = "gpu1",
            ["ComfyUIPool:Servers:0:Weight"] = "2",
            ["ComfyUIPool:Servers:0:MaxInFlight"] = "4",
            ["ComfyUIPool:Servers:0:ApiKey"] = "key-1",
            ["ComfyUIPool:Servers:1:BaseAddress"] = b.BaseAddress.ToString(),
            ["ComfyUIPool:Delivery"] = "AtLeastOnce",
            ["ComfyUIPool:ResubmitAfter"] = "00:00:30",
            ["ComfyUIPool:Routing"] = "RoundRobin",
            ["ComfyUIPool:Client:ApiKey"] = "shared-key",
            ["ComfyUIPool:Client:RequestTimeout"] = "00:00:20",
        }).Build();
        var services = new ServiceCollection();
        services.AddComfyUIPool(configuration.GetSection("ComfyUIPool"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ComfyUIPoolOptions>>().Value;
        var pool = provider.GetRequiredService<ComfyUIPool>();

        Assert.Same(pool, provider.GetRequiredService<ComfyUIPool>());
        Assert.Equal(PromptDelivery.AtLeastOnce, options.Delivery);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResubmitAfter);
        Assert.Equal(PoolRouting.RoundRobin, options.Routing);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Client.RequestTimeout);
        Assert.Equal(["gpu1", b.BaseAddress.Authority], pool.Servers.Select(s => s.Name));
        Assert.Equal([2, 1], pool.Servers.Select(s => s.Weight));
        Assert.Equal([4, null], pool.Servers.Select(s => s.MaxInFlight));
        Assert.Equal("key-1", ComfyUIPool.ClientOptionsFor(options, options.Servers[0]).ApiKey);
        Assert.Equal("shared-key", ComfyUIPool.ClientOptionsFor(options, options.Servers[1]).ApiKey);
        Assert.NotEqual(pool.GetClient("gpu1").ClientId, pool.GetClient(b.BaseAddress).ClientId);

        var slow = await pool.RunAsync(Slow(0), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct);
        Assert.Equal(a.BaseAddress, slow.Server); // b lacks the class
    }

    [Fact]
    public void Invalid_servers_fail_at_start_naming_the_entry_and_how_to_fix_it()
    {
        var services = new ServiceCollection();
        services.AddComfyUIPool(o =>
        {
            o.Servers.Add(new PoolServerOptions { BaseAddress = new Uri("http://127.0.0.1:1/"), Weight = 0 });
            o.Servers.Add(new PoolServerOptions { Name = "no-address" });
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ComfyUIPoolOptions>>().Value);

        Assert.Contains("Servers[0]: Weight must be at least 1 (was 0).", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Servers[1]: BaseAddress is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_registered_routing_strategy_replaces_the_built_in_one()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IPoolRoutingStrategy, AlwaysLast>();
        services.AddComfyUIPool(o =>
        {
            o.Servers.Add(new PoolServerOptions { BaseAddress = a.BaseAddress, Name = "a" });
            o.Servers.Add(new PoolServerOptions { BaseAddress = b.BaseAddress, Name = "b" });
            FastClient(o.Client);
        });
        await using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<ComfyUIPool>();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(b.BaseAddress, (await pool.RunAsync(Text("last", i), cancellationToken: Ct).WaitAsync(Waits.Deadline, Ct)).Server);
        }
    }

    private sealed class AlwaysLast : IPoolRoutingStrategy
    {
        public PoolServerState Select(IReadOnlyList<PoolServerState> candidates, PoolRoutingRequest request) => candidates[^1];
    }
}
