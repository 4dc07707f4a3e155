using System.Net;

namespace ComfyUI.Client;

/// <summary>
/// One server of a pool: its client (with its own client id, socket and run tracker), what the pool knows of its health and load, the runs the
/// pool placed on it, and its capabilities. The health watch is in <c>PoolMember.Monitor.cs</c>. Thread-safe: state changes under one lock.
/// </summary>
internal sealed partial class PoolMember : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly ComfyUIPool _pool;
    private readonly bool _ownsClient;
    private readonly HashSet<PoolRelay> _runs = [];
    private readonly HashSet<string> _abandoned = new(StringComparer.Ordinal);
    private PoolServerHealth _health;
    private bool _draining;
    private bool _removed;
    private int _queueRemaining;
    private int _submitting;
    private string? _lastCheckpoint;
    private int _restarts;
    private string? _lastError;
    private double _maxCounter = -1;
    private Task<ServerCapabilities>? _capabilities;
    private ServerCapabilities? _known;
    private TaskCompletionSource? _drained;

    public PoolMember(ComfyUIPool pool, string name, ComfyUIClient client, bool ownsClient, int weight, int? maxInFlight)
    {
        _pool = pool;
        Name = name;
        Client = client;
        _ownsClient = ownsClient;
        Weight = weight;
        MaxInFlight = maxInFlight;
        Address = client.BaseAddress;
    }

    public string Name { get; }

    public Uri Address { get; }

    public ComfyUIClient Client { get; }

    public int Weight { get; }

    public int? MaxInFlight { get; }

    public PoolServerHealth Health
    {
        get
        {
            lock (_gate)
            {
                return _health;
            }
        }
    }

    /// <summary>Whether it may get new prompts now (up, not draining or removed); capacity and capabilities are checked apart.</summary>
    public bool IsAvailable
    {
        get
        {
            lock (_gate)
            {
                return _health is PoolServerHealth.Healthy or PoolServerHealth.Degraded && !_draining && !_removed;
            }
        }
    }

    public bool IsDraining
    {
        get
        {
            lock (_gate)
            {
                return _draining;
            }
        }
    }

    /// <summary>Whether another prompt of the pool fits under <see cref="MaxInFlight"/>.</summary>
    public bool HasCapacity
    {
        get
        {
            lock (_gate)
            {
                return MaxInFlight is not { } max || _runs.Count < max;
            }
        }
    }

    /// <summary>The runs the pool placed here that have not ended (restart checks and failover use them).</summary>
    public PoolRelay[] Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }

    public PoolServerState Snapshot()
    {
        var known = Volatile.Read(ref _known);
        lock (_gate)
        {
            return new PoolServerState
            {
                Name = Name,
                Address = Address,
                Health = _health,
                IsDraining = _draining || _removed,
                Weight = Weight,
                MaxInFlight = MaxInFlight,
                QueueRemaining = _queueRemaining,
                InFlight = _runs.Count,
                Load = LoadLocked(),
                LastCheckpoint = _lastCheckpoint,
                Restarts = _restarts,
                LastError = _lastError,
                CapabilitiesReadAt = known?.ReadAt,
                NodeClassCount = known?.NodeClassCount,
                Features = known?.Features,
            };
        }
    }

    /// <summary>
    /// The server's load as the pool sees it: its queue as it last reported it — but never less than the prompts of this pool it accepted and still
    /// holds, which a report sent before they arrived does not show — plus the prompts being submitted to it.
    /// </summary>
    private int LoadLocked() => Math.Max(_queueRemaining, _runs.Count - _submitting) + _submitting;

    // ---- Placement: a run is placed here (reserved), submitted, and released when it ends here (or moves). ----

    /// <summary>Places a run here: it counts in flight, and as load while it is being submitted.</summary>
    public Reservation Reserve(PoolRelay relay, string? checkpoint)
    {
        var reservation = new Reservation(this);
        lock (_gate)
        {
            _runs.Add(relay);
            _submitting++;
            if (checkpoint is not null)
            {
                _lastCheckpoint = checkpoint;
            }
        }

        return reservation;
    }

    /// <summary>The server accepted the submission: the prompt is in its queue.</summary>
    public void Submitted(Reservation reservation)
    {
        lock (_gate)
        {
            if (!reservation.Submitted && !reservation.Released)
            {
                reservation.Submitted = true;
                _submitting--;
            }
        }

        _pool.NotifyChanged();
    }

    /// <summary>The run ended here (or moved elsewhere, or its submission failed).</summary>
    public void Release(PoolRelay relay, Reservation reservation)
    {
        bool drained;
        lock (_gate)
        {
            if (reservation.Released)
            {
                return;
            }

            reservation.Released = true;
            if (!reservation.Submitted)
            {
                _submitting--;
            }

            _runs.Remove(relay);
            drained = _runs.Count == 0 && _drained is not null;
        }

        if (drained)
        {
            MarkDrained();
        }

        _pool.NotifyChanged();
    }

    /// <summary>The server reported its queue (a <c>status</c> message, or <c>GET /prompt</c>): prompts submitted before are in it.</summary>
    public void OnQueueReport(int queueRemaining)
    {
        lock (_gate)
        {
            _queueRemaining = queueRemaining;
        }

        _pool.NotifyChanged();
    }

    /// <summary>The highest prompt number known before a submission (compared with its answer by <see cref="NoteNumber"/>).</summary>
    public double CounterMark()
    {
        lock (_gate)
        {
            return _maxCounter;
        }
    }

    /// <summary>
    /// The server numbered a prompt of the pool (<c>POST /prompt</c>'s <c>number</c>, without an explicit number). ComfyUI's counter only grows
    /// while it runs, so a number below the highest one known before that submission started means it restarted.
    /// </summary>
    public void NoteNumber(double number, double markBefore)
    {
        number = Math.Abs(number); // front of the queue: -counter
        bool wentBack;
        lock (_gate)
        {
            wentBack = markBefore >= 0 && number < markBefore;
            _maxCounter = wentBack ? number : Math.Max(_maxCounter, number);
        }

        if (wentBack)
        {
            OnRestarted($"its prompt counter went back from {markBefore} to {number}");
        }
    }

    // ---- Draining ----

    /// <summary>Stops new prompts; the returned task completes when the pool has no run left here.</summary>
    public Task DrainAsync(bool removing)
    {
        bool first;
        Task drained;
        lock (_gate)
        {
            first = !_draining && !_removed;
            _draining = true;
            _removed |= removing;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
            if (_runs.Count == 0)
            {
                _drained.TrySetResult();
            }
        }

        if (first)
        {
            _pool.Emit(this, PoolEventKind.Draining, null);
        }

        _pool.NotifyChanged();
        return drained;
    }

    private void MarkDrained()
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            drained = _drained;
        }

        if (drained is not null && drained.TrySetResult())
        {
            _pool.Emit(this, PoolEventKind.Drained, null);
        }
    }

    /// <summary>Takes prompts again after a drain. Returns <see langword="false"/> when it was not draining.</summary>
    public bool Resume()
    {
        lock (_gate)
        {
            if (!_draining || _removed)
            {
                return false;
            }

            _draining = false;
            _drained = null;
        }

        _pool.Emit(this, PoolEventKind.Resumed, null);
        _pool.NotifyChanged();
        return true;
    }

    // ---- Capabilities ----

    /// <summary>The server's capabilities, read once and shared (a failed read is tried again by the next caller).</summary>
    public Task<ServerCapabilities> GetCapabilitiesAsync()
    {
        lock (_gate)
        {
            if (_capabilities is null || _capabilities.IsFaulted || _capabilities.IsCanceled)
            {
                _capabilities = ReadCapabilitiesAsync(refresh: _capabilities is not null);
            }

            return _capabilities;
        }
    }

    /// <summary>Reads the capabilities again (a restart, or on demand); routing waits for the new ones.</summary>
    public Task<ServerCapabilities> RefreshCapabilities()
    {
        lock (_gate)
        {
            _capabilities = ReadCapabilitiesAsync(refresh: true);
            return _capabilities;
        }
    }

    private async Task<ServerCapabilities> ReadCapabilitiesAsync(bool refresh)
    {
        // Not tied to a caller: every routing decision waits for the same read.
        await Task.Yield();
        try
        {
            var validator = await Client.GetPromptValidatorAsync(refresh, CancellationToken.None).ConfigureAwait(false);
            ServerFeatures? features;
            try
            {
                features = await Client.Discovery.GetFeaturesAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ComfyUIApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                features = null; // an older server: no feature flags
            }

            var capabilities = new ServerCapabilities(validator, features, _pool.TimeProvider.GetUtcNow());
            Volatile.Write(ref _known, capabilities);
            _pool.Emit(this, PoolEventKind.CapabilitiesRead, $"{capabilities.NodeClassCount} node classes");
            return capabilities;
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _lastError = "its capabilities could not be read: " + ex.Message;
            }

            PoolLog.CapabilitiesFailed(_pool.Logger, Name, ex.Message);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopMonitorAsync().ConfigureAwait(false);
        if (_ownsClient)
        {
            await Client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A run's claim on a server, from its placement until it ends there.</summary>
    internal sealed class Reservation(PoolMember member)
    {
        public PoolMember Member { get; } = member;

        /// <summary>Whether the server accepted its submission (under the member's lock).</summary>
        public bool Submitted { get; set; }

        /// <summary>Whether the run ended here or moved (under the member's lock).</summary>
        public bool Released { get; set; }
    }
}
