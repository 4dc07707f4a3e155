namespace ComfyUI.Client.HealthChecks;

/// <summary>
/// When a reachable ComfyUI server counts as degraded rather than healthy. A server that does not answer is always reported with the
/// registration's failure status (unhealthy by default).
/// </summary>
public sealed class ComfyUIHealthCheckOptions
{
    /// <summary>Degraded when more prompts than this are queued (pending plus running); <see langword="null"/> (the default) never.</summary>
    public int? MaxQueueDepth { get; set; }

    /// <summary>Degraded when the server's device has less free VRAM than this, in bytes; <see langword="null"/> (the default) never.</summary>
    public long? MinFreeVram { get; set; }

    /// <summary>Degraded when the server has less free RAM than this, in bytes; <see langword="null"/> (the default) never.</summary>
    public long? MinFreeRam { get; set; }

    /// <summary>
    /// Degraded while the WebSocket the client's runs share is open but not connected (reconnecting, or given up): runs then follow the server
    /// by polling. On by default. A client that has not submitted a run has no such socket and is not degraded for it.
    /// </summary>
    public bool SocketDownIsDegraded { get; set; } = true;

    /// <summary>Whether to read <c>/system_stats</c> (version, RAM, VRAM) as well as the queue. On by default.</summary>
    public bool ReadSystemStats { get; set; } = true;
}
