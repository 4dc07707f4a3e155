using System.CommandLine;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>comfyui pool status --server A --server B …</c>, and the pool that <c>comfyui run</c> uses when it is given several servers.</summary>
internal static class PoolCommands
{
    public static void Add(RootCommand root)
    {
        var status = new Command("status", "Each server of the pool: health, queue, prompts in flight, node classes (give --server once per server)");
        status.SetAction(async (result, cancellationToken) =>
        {
            var output = CliApp.Output(result);
            try
            {
                await using var pool = CreatePool(result);
                var servers = await pool.GetServersAsync(cancellationToken).ConfigureAwait(false);
                foreach (var server in servers)
                {
                    Write(output, server);
                }

                var up = servers.Count(s => s.Health is PoolServerHealth.Healthy or PoolServerHealth.Degraded);
                output.Line($"{up} of {servers.Count} servers up");
                return up > 0 ? ExitCodes.Success : ExitCodes.Unreachable;
            }
            catch (Exception ex)
            {
                return CliApp.Fail(output, ex);
            }
        });
        root.Add(new Command("pool", "Many servers as one: see how a pool of them stands") { status });
    }

    /// <summary>A pool over every --server of the command line (named by host:port), with the command line's API key.</summary>
    internal static ComfyUIPool CreatePool(ParseResult result)
    {
        var options = new ComfyUIPoolOptions();
        options.Client.ApiKey = CliApp.ResolveApiKey(result);
        options.Client.WebSocket.ConnectTimeout = TimeSpan.FromSeconds(10);
        options.ProbeTimeout = TimeSpan.FromSeconds(10);
        foreach (var address in CliApp.ServerAddresses(result).Distinct())
        {
            options.Servers.Add(new PoolServerOptions { BaseAddress = address });
        }

        return new ComfyUIPool(options);
    }

    private static void Write(CliOutput output, PoolServerState server)
    {
        var health = server.Health.ToString().ToLowerInvariant();
        output.Object(w =>
        {
            w.WriteString("type", "server");
            w.WriteString("name", server.Name);
            w.WriteString("address", server.Address.ToString());
            w.WriteString("health", health);
            w.WriteBoolean("draining", server.IsDraining);
            w.WriteNumber("queue_remaining", server.QueueRemaining);
            w.WriteNumber("in_flight", server.InFlight);
            w.WriteNumber("weight", server.Weight);
            w.WriteNumber("restarts", server.Restarts);
            if (server.NodeClassCount is { } classes)
            {
                w.WriteNumber("node_classes", classes);
            }
            else
            {
                w.WriteNull("node_classes");
            }

            w.WriteString("last_error", server.LastError);
        });
        output.Line($"{server.Name}  {health}{(server.IsDraining ? " (draining)" : "")}  queue {server.QueueRemaining}  "
            + $"{(server.NodeClassCount is { } count ? count + " node classes" : "node classes unknown")}"
            + (server.LastError is { } error && server.Health == PoolServerHealth.Unhealthy ? "  " + error : ""));
    }
}
