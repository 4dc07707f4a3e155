using Microsoft.Extensions.Options;

namespace ComfyUI.Client;

/// <summary>Validates <see cref="ComfyUIClientOptions"/> at start-up (with <c>ValidateOnStart</c>) and in the client's constructors.</summary>
public sealed class ComfyUIClientOptionsValidator : IValidateOptions<ComfyUIClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ComfyUIClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BaseAddress is null)
        {
            failures.Add("BaseAddress is required, for example http://127.0.0.1:8188/.");
        }
        else if (!options.BaseAddress.IsAbsoluteUri || (options.BaseAddress.Scheme != Uri.UriSchemeHttp && options.BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"BaseAddress '{options.BaseAddress}' must be an absolute http or https URL.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("ClientId must not be empty.");
        }

        if (options.ApiKey is not null && string.IsNullOrWhiteSpace(options.ApiKeyHeaderName))
        {
            failures.Add("ApiKeyHeaderName must not be empty when ApiKey is set.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero && options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"RequestTimeout must be positive or Timeout.InfiniteTimeSpan (was {options.RequestTimeout}).");
        }

        if (options.MaxErrorBodyLength < 256)
        {
            failures.Add($"MaxErrorBodyLength must be at least 256 (was {options.MaxErrorBodyLength}).");
        }

        var ws = options.WebSocket;
        if (ws is null)
        {
            failures.Add("WebSocket options must not be null.");
        }
        else
        {
            if (ws.ChannelCapacity < 1)
            {
                failures.Add($"WebSocket.ChannelCapacity must be at least 1 (was {ws.ChannelCapacity}).");
            }

            if (ws.ReconnectBaseDelay <= TimeSpan.Zero || ws.ReconnectMaxDelay < ws.ReconnectBaseDelay)
            {
                failures.Add("WebSocket.ReconnectBaseDelay must be positive (no reconnect storms) and not larger than WebSocket.ReconnectMaxDelay.");
            }

            if (ws.MaxReconnectAttempts is < 0)
            {
                failures.Add("WebSocket.MaxReconnectAttempts must not be negative.");
            }

            if (ws.IdleTimeout is { } idle && idle <= TimeSpan.Zero)
            {
                failures.Add("WebSocket.IdleTimeout must be positive or null.");
            }

            if (ws.ConnectTimeout <= TimeSpan.Zero)
            {
                failures.Add("WebSocket.ConnectTimeout must be positive.");
            }

            if (ws.RefusedRetryDelay < TimeSpan.Zero || ws.RefusedRetryDelay > TimeSpan.FromDays(1))
            {
                failures.Add("WebSocket.RefusedRetryDelay must be between zero and one day.");
            }

            if (ws.ReconnectMaxDelay > TimeSpan.FromDays(1))
            {
                failures.Add("WebSocket.ReconnectMaxDelay must not exceed one day.");
            }

            if (ws.KeepAliveInterval < TimeSpan.Zero && ws.KeepAliveInterval != Timeout.InfiniteTimeSpan)
            {
                failures.Add("WebSocket.KeepAliveInterval must not be negative (TimeSpan.Zero turns keep-alive off).");
            }
        }

        var runs = options.Tracking;
        if (runs is null)
        {
            failures.Add("Tracking options must not be null.");
        }
        else if (runs.PollInterval <= TimeSpan.Zero || runs.LostAfter <= TimeSpan.Zero || runs.SilenceReconcileInterval <= TimeSpan.Zero || runs.UnreachableAfter <= TimeSpan.Zero)
        {
            failures.Add("Tracking.PollInterval, Tracking.LostAfter, Tracking.SilenceReconcileInterval and Tracking.UnreachableAfter must be positive.");
        }

        if (options.Telemetry is null)
        {
            failures.Add("Telemetry options must not be null.");
        }
        else if (options.Telemetry.ProgressEventInterval < TimeSpan.Zero)
        {
            failures.Add($"Telemetry.ProgressEventInterval must not be negative (was {options.Telemetry.ProgressEventInterval}; TimeSpan.Zero records every step).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
