namespace ComfyUI.Client;

/// <summary>
/// Settings of a <see cref="ComfyUIPool"/>: its servers, how it routes prompts, how it delivers them when a server is lost, and how it watches
/// the servers' health.
/// </summary>
/// <remarks>
/// Bind it from configuration (<c>services.AddComfyUIPool(configuration.GetSection("ComfyUIPool"))</c>): <c>Servers</c> is a list of entries with
/// <see cref="PoolServerOptions.BaseAddress"/>, <see cref="PoolServerOptions.Weight"/>, <see cref="PoolServerOptions.MaxInFlight"/> and
/// <see cref="PoolServerOptions.ApiKey"/>; <c>Client</c> holds the settings every server's client shares (timeouts, WebSocket, tracking).
/// </remarks>
public sealed class ComfyUIPoolOptions
{
    /// <summary>The servers the pool starts with. More can be added (and removed) at run time.</summary>
    public IList<PoolServerOptions> Servers { get; } = new List<PoolServerOptions>();

    /// <summary>
    /// The settings of the client the pool creates for each server (its <see cref="ComfyUIClientOptions.BaseAddress"/> is the server's; its
    /// <see cref="ComfyUIClientOptions.ApiKey"/> is used for servers whose entry has none). Each client gets its own client id.
    /// </summary>
    public ComfyUIClientOptions Client { get; set; } = new();

    /// <summary>What the pool does with a prompt whose server was lost while it held it. Defaults to <see cref="PromptDelivery.AtMostOnce"/>.</summary>
    public PromptDelivery Delivery { get; set; } = PromptDelivery.AtMostOnce;

    /// <summary>
    /// With <see cref="PromptDelivery.AtLeastOnce"/>: how long a server may stay unreachable while it holds a prompt before the prompt is submitted
    /// elsewhere without waiting to learn its fate (when the server answers again, the pool removes the prompt from its queue or interrupts it).
    /// Defaults to 2 minutes.
    /// </summary>
    public TimeSpan ResubmitAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>With <see cref="PromptDelivery.AtLeastOnce"/>: how many times a prompt is placed on a server at most, the first time included. Defaults to 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// The built-in routing. Defaults to <see cref="PoolRouting.LeastLoaded"/>. A strategy of your own is given to the pool's constructor (or
    /// registered as an <see cref="IPoolRoutingStrategy"/> service) instead.
    /// </summary>
    public PoolRouting Routing { get; set; } = PoolRouting.LeastLoaded;

    /// <summary>
    /// With <see cref="PoolRouting.LeastLoaded"/>: among servers equally loaded, prefer the one whose last prompt (from this pool) loaded the same
    /// checkpoint, so it does not load another model. Defaults to <see langword="true"/>.
    /// </summary>
    public bool PreferSameCheckpoint { get; set; } = true;

    /// <summary>
    /// How a workflow's checkpoint is found for <see cref="PreferSameCheckpoint"/>; <see langword="null"/> (the default) uses the values of its
    /// <c>ckpt_name</c> and <c>unet_name</c> inputs (every checkpoint and diffusion-model loader of ComfyUI names its file so).
    /// </summary>
    public Func<Workflow, string?>? CheckpointOf { get; set; }

    /// <summary>
    /// How often a server whose WebSocket is down but whose HTTP answers is checked (health and queue length). Servers with a connected
    /// WebSocket are not polled: their socket reports both. Defaults to 5 seconds.
    /// </summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one health probe (<c>GET /system_stats</c>) may take. Defaults to 5 seconds.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first delay before an unreachable server is probed again; it doubles (with jitter) up to <see cref="ProbeMaxDelay"/>. Defaults to 1 second.</summary>
    public TimeSpan ProbeBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two probes of an unreachable server. Defaults to 30 seconds.</summary>
    public TimeSpan ProbeMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One server of a <see cref="ComfyUIPool"/>.</summary>
public sealed class PoolServerOptions
{
    /// <summary>The server's base address, for example <c>http://gpu1:8188/</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Its name in the pool (events, snapshots, <see cref="ComfyUIPool.DrainServerAsync"/>); defaults to <c>host:port</c> of the address.</summary>
    public string? Name { get; set; }

    /// <summary>Its share of the load: a server of weight 2 gets twice the prompts of a server of weight 1 when both are equally busy. Defaults to 1.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>How many prompts of this pool it holds at most at once (queued or running); <see langword="null"/> (the default) sets no limit.</summary>
    public int? MaxInFlight { get; set; }

    /// <summary>An API key for a proxy in front of this server; <see langword="null"/> uses the one of <see cref="ComfyUIPoolOptions.Client"/>.</summary>
    public string? ApiKey { get; set; }
}

/// <summary>What a <see cref="ComfyUIPool"/> does with a prompt whose server was lost (restarted, or unreachable) while it held it.</summary>
public enum PromptDelivery
{
    /// <summary>
    /// Never submit a prompt again once a server accepted it: it may have run. A prompt whose server restarted, or stayed unreachable for
    /// <see cref="PromptTrackingOptions.UnreachableAfter"/>, ends as <see cref="PromptStatus.Lost"/> (as with a single client).
    /// </summary>
    AtMostOnce,

    /// <summary>
    /// Submit it again on another server (the same prompt id) once its server answers without it (it restarted), or once the server stayed
    /// unreachable for <see cref="ComfyUIPoolOptions.ResubmitAfter"/>. A prompt may then run more than once (partly on the server that died);
    /// never on two servers at the same time, unless a server that was unreachable kept running it.
    /// </summary>
    AtLeastOnce,
}

/// <summary>The routing strategies built in.</summary>
public enum PoolRouting
{
    /// <summary>The server with the shortest queue for its weight (<see cref="LeastLoadedStrategy"/>).</summary>
    LeastLoaded,

    /// <summary>Each server in turn, in proportion to its weight, whatever its queue (<see cref="RoundRobinStrategy"/>).</summary>
    RoundRobin,
}
