using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Faults;
using ComfyUI.Client.Testing.Nodes;
using ComfyUI.Client.Testing.WebSockets;

namespace ComfyUI.Client.Testing.Execution;

/// <summary>Queue, history, execution cache and the worker loop.</summary>
internal sealed class ServerState : IAsyncDisposable
{
    private readonly SemaphoreSlim wake = new(0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<string> historyOrder = [];
    private readonly Dictionary<string, HistoryEntry> history = new(StringComparer.Ordinal);
    private Task? worker;

    public ServerState(NodeCatalog catalog, FileStore files, WsHub hub, FaultState faults)
    {
        Catalog = catalog;
        Files = files;
        Hub = hub;
        Faults = faults;
    }

    public object Gate { get; } = new();

    public NodeCatalog Catalog { get; }

    public FileStore Files { get; }

    public WsHub Hub { get; }

    public FaultState Faults { get; }

    public List<QueueItem> Pending { get; } = [];

    public QueueItem? Running { get; set; }

    /// <summary>The node currently executing (for the reconnect replay of `executing`).</summary>
    public string? RunningNode { get; set; }

    public int Counter { get; set; }

    private readonly List<string> executedPromptIds = [];

    /// <summary>Every prompt id that began executing, in order, across restarts (a prompt executed twice is listed twice).</summary>
    public IReadOnlyList<string> ExecutedPromptIds
    {
        get
        {
            lock (Gate)
            {
                return [.. executedPromptIds];
            }
        }
    }

    public void NoteExecuted(string promptId)
    {
        lock (Gate)
        {
            executedPromptIds.Add(promptId);
        }
    }

    public Dictionary<string, CacheEntry> Cache { get; } = new(StringComparer.Ordinal);

    /// <summary>The users added by POST /users (kept in memory, as without --multi-user).</summary>
    public UserRegistry Users { get; } = new();

    public void Start() => worker = Task.Run(WorkerLoopAsync);

    public int QueueRemaining
    {
        get
        {
            lock (Gate)
            {
                return Pending.Count + (Running is null ? 0 : 1);
            }
        }
    }

    public JsonObject StatusData() => new() { ["exec_info"] = new JsonObject { ["queue_remaining"] = QueueRemaining } };

    public void BroadcastStatus() => Hub.Send("status", new JsonObject { ["status"] = StatusData() }, null);

    public void Enqueue(QueueItem item)
    {
        lock (Gate)
        {
            Pending.Add(item);
        }

        BroadcastStatus();
        wake.Release();
    }

    public bool DeletePending(string promptId)
    {
        bool removed;
        lock (Gate)
        {
            removed = Pending.RemoveAll(p => p.PromptId == promptId) > 0;
        }

        if (removed)
        {
            BroadcastStatus();
        }

        return removed;
    }

    public void ClearPending()
    {
        lock (Gate)
        {
            Pending.Clear();
        }

        BroadcastStatus();
    }

    /// <summary>Interrupts the running prompt (only that id when given). True when something was interrupted.</summary>
    public bool Interrupt(string? promptId)
    {
        lock (Gate)
        {
            if (Running is null || (promptId is not null && Running.PromptId != promptId))
            {
                return false;
            }

            Running.Interrupt.Cancel();
            return true;
        }
    }

    private readonly Dictionary<string, TaskCompletionSource> finishedWaiters = new(StringComparer.Ordinal);

    /// <summary>Completes when the prompt has a history entry.</summary>
    public Task WaitForHistoryAsync(string promptId, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (history.ContainsKey(promptId))
            {
                return Task.CompletedTask;
            }

            if (!finishedWaiters.TryGetValue(promptId, out var tcs))
            {
                finishedWaiters[promptId] = tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return tcs.Task.WaitAsync(cancellationToken);
        }
    }

    public void AddHistory(HistoryEntry entry)
    {
        lock (Gate)
        {
            if (finishedWaiters.Remove(entry.Item.PromptId, out var waiter))
            {
                waiter.TrySetResult();
            }

            if (history.Remove(entry.Item.PromptId))
            {
                historyOrder.Remove(entry.Item.PromptId);
            }

            history[entry.Item.PromptId] = entry;
            historyOrder.Add(entry.Item.PromptId);
            while (historyOrder.Count > 10000)
            {
                history.Remove(historyOrder[0]);
                historyOrder.RemoveAt(0);
            }
        }
    }

    public List<HistoryEntry> HistorySnapshot()
    {
        lock (Gate)
        {
            return [.. historyOrder.Select(id => history[id])];
        }
    }

    public HistoryEntry? GetHistory(string id)
    {
        lock (Gate)
        {
            return history.GetValueOrDefault(id);
        }
    }

    public void DeleteHistory(string id)
    {
        lock (Gate)
        {
            if (history.Remove(id))
            {
                historyOrder.Remove(id);
            }
        }
    }

    public void ClearHistory()
    {
        lock (Gate)
        {
            history.Clear();
            historyOrder.Clear();
        }
    }

    /// <summary>A restart: the queue, the running prompt and the cache are lost; history optionally.</summary>
    public void Restart(bool keepHistory)
    {
        lock (Gate)
        {
            Pending.Clear();
            if (Running is not null)
            {
                Running.Discarded = true;
                Running.Interrupt.Cancel();
            }

            Cache.Clear();
            Users.Reset();
            Counter = 0;
            try
            {
                // ComfyUI wipes temp/ at startup.
                foreach (var entry in new DirectoryInfo(Files.Temp).EnumerateFileSystemInfos())
                {
                    if (entry is DirectoryInfo d)
                    {
                        d.Delete(recursive: true);
                    }
                    else
                    {
                        entry.Delete();
                    }
                }
            }
            catch (IOException)
            {
            }
            if (!keepHistory)
            {
                history.Clear();
                historyOrder.Clear();
            }
        }
    }

    private async Task WorkerLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            QueueItem? item;
            lock (Gate)
            {
                item = Pending.OrderBy(p => p.SortNumber).ThenBy(p => p.PromptId, StringComparer.Ordinal).FirstOrDefault();
                if (item is null)
                {
                    continue;
                }

                Pending.Remove(item);
                Running = item;
            }

            BroadcastStatus();
            var executor = new Executor(this, item);
            HistoryEntry? entry = null;
            try
            {
                entry = await executor.RunAsync().ConfigureAwait(false);
            }
            catch (Exception) when (item.Discarded || stop.IsCancellationRequested)
            {
            }

            lock (Gate)
            {
                if (ReferenceEquals(Running, item))
                {
                    Running = null;
                }

                RunningNode = null;
            }

            if (entry is null || item.Discarded)
            {
                continue;
            }

            AddHistory(entry);
            BroadcastStatus();
            var done = new JsonObject { ["node"] = null, ["prompt_id"] = item.PromptId };
            if (item.ClientId is { } cid)
            {
                Hub.Send("executing", done, cid);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        lock (Gate)
        {
            Running?.Interrupt.Cancel();
            if (Running is not null)
            {
                Running.Discarded = true;
            }
        }

        if (worker is not null)
        {
            try
            {
                await worker.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }
}

/// <summary>A cached node result, keyed by node id, valid while the signature matches.</summary>
internal sealed record CacheEntry(string Signature, object?[] Outputs, JsonObject? Ui);
