using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ComfyUI.Client.Tests.DependencyInjection;

/// <summary>One client id per container: the options a user reads show the id the client really uses.</summary>
public sealed class ClientIdTests
{
    [Fact]
    public void The_generated_client_id_is_the_same_in_every_options_view_and_every_client()
    {
        var services = new ServiceCollection();
        services.AddComfyUIClient(o => o.BaseAddress = new Uri("http://127.0.0.1:1/"));
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ComfyUIClient>();
        var other = provider.GetRequiredService<ComfyUIClient>();
        using var scope = provider.CreateScope();

        Assert.Matches("^[0-9a-f]{32}$", client.ClientId);
        Assert.Equal(client.ClientId, provider.GetRequiredService<IOptionsMonitor<ComfyUIClientOptions>>().CurrentValue.ClientId);
        Assert.Equal(client.ClientId, provider.GetRequiredService<IOptions<ComfyUIClientOptions>>().Value.ClientId);
        Assert.Equal(client.ClientId, scope.ServiceProvider.GetRequiredService<IOptionsSnapshot<ComfyUIClientOptions>>().Value.ClientId);
        Assert.Equal(client.ClientId, other.ClientId);
    }

    [Fact]
    public void A_client_id_from_configuration_or_code_wins_over_the_generated_one()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ComfyUI:BaseAddress"] = "http://127.0.0.1:1/",
            ["ComfyUI:ClientId"] = "from-config",
        }).Build();
        var services = new ServiceCollection();
        services.AddComfyUIClient(configuration.GetSection("ComfyUI"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal("from-config", provider.GetRequiredService<ComfyUIClient>().ClientId);
        Assert.Equal("from-config", provider.GetRequiredService<IOptionsMonitor<ComfyUIClientOptions>>().CurrentValue.ClientId);
    }
}
