namespace ComfyUI.Client.HealthChecks;

/// <summary>How <see cref="ComfyUIReadinessCheck"/> waits for a starting server.</summary>
public sealed class ComfyUIReadinessOptions
{
    /// <summary>
    /// How long a starting server may take to answer before the check reports that it did not come up (the next check then starts waiting again).
    /// Defaults to 5 minutes (loading custom nodes can take that long).
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long one check waits for a starting server before it answers "not ready yet". Keep it under your probe's timeout. Defaults to 2 seconds.
    /// </summary>
    public TimeSpan CheckWait { get; set; } = TimeSpan.FromSeconds(2);
}
