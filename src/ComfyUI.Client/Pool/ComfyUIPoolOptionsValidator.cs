using Microsoft.Extensions.Options;

namespace ComfyUI.Client;

/// <summary>Validates <see cref="ComfyUIPoolOptions"/> at start-up (with <c>ValidateOnStart</c>) and in the pool's constructor.</summary>
public sealed class ComfyUIPoolOptionsValidator : IValidateOptions<ComfyUIPoolOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ComfyUIPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Servers.Count; i++)
        {
            var server = options.Servers[i];
            if (server is null)
            {
                failures.Add($"Servers[{i}] must not be null.");
                continue;
            }

            failures.AddRange(ValidateServer(server, $"Servers[{i}]"));
            var serverName = string.IsNullOrWhiteSpace(server.Name) ? server.BaseAddress?.Authority : server.Name;
            if (serverName is not null && !names.Add(serverName))
            {
                failures.Add($"Servers[{i}]: the name '{serverName}' is taken by another server; give each server its own Name.");
            }
        }

        if (options.Client is null)
        {
            failures.Add("Client must not be null.");
        }
        else
        {
            // The shared client settings are checked as one server's would be (the address is the server's).
            var probe = options.Client.Clone();
            probe.BaseAddress = new Uri("http://127.0.0.1:8188/");
            var client = new ComfyUIClientOptionsValidator().Validate(null, probe);
            if (client.Failed)
            {
                failures.AddRange(client.Failures.Select(failure => "Client: " + failure));
            }
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"MaxAttempts must be at least 1 (was {options.MaxAttempts}).");
        }

        if (options.ResubmitAfter <= TimeSpan.Zero || options.HealthCheckInterval <= TimeSpan.Zero || options.ProbeTimeout <= TimeSpan.Zero
            || options.ProbeBaseDelay <= TimeSpan.Zero || options.ProbeMaxDelay < options.ProbeBaseDelay)
        {
            failures.Add("ResubmitAfter, HealthCheckInterval, ProbeTimeout and ProbeBaseDelay must be positive, and ProbeMaxDelay at least ProbeBaseDelay.");
        }

        if (!Enum.IsDefined(options.Delivery) || !Enum.IsDefined(options.Routing))
        {
            failures.Add("Delivery must be AtMostOnce or AtLeastOnce, and Routing LeastLoaded or RoundRobin.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> ValidateServer(PoolServerOptions server, string label)
    {
        var failures = new List<string>();
        if (server.BaseAddress is null)
        {
            failures.Add($"{label}: BaseAddress is required, for example http://127.0.0.1:8188/.");
        }
        else if (!server.BaseAddress.IsAbsoluteUri || (server.BaseAddress.Scheme != Uri.UriSchemeHttp && server.BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{label}: BaseAddress '{server.BaseAddress}' must be an absolute http or https URL.");
        }

        if (server.Weight < 1)
        {
            failures.Add($"{label}: Weight must be at least 1 (was {server.Weight}).");
        }

        if (server.MaxInFlight is < 1)
        {
            failures.Add($"{label}: MaxInFlight must be at least 1 or unset (was {server.MaxInFlight}).");
        }

        return failures;
    }
}
