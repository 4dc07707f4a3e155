using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Pool;

/// <summary>Fake servers with different node sets, pools with short timings, and workflows for the pool tests.</summary>
internal static class PoolTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts a fake server; <paramref name="configure"/> removes node classes or sets combo choices.</summary>
    public static Task<FakeComfyUIServer> StartServerAsync(Action<FakeComfyUIServerOptions>? configure = null)
    {
        var options = new FakeComfyUIServerOptions();
        configure?.Invoke(options);
        return FakeComfyUIServer.StartAsync(options, Ct).WaitAsync(Waits.Deadline, Ct);
    }

    /// <summary>Pool options with short reconnect, probe and loss timings, over the servers named a, b, c, … in order.</summary>
    public static ComfyUIPoolOptions Options(params FakeComfyUIServer[] servers)
    {
        var options = new ComfyUIPoolOptions
        {
            ProbeBaseDelay = TimeSpan.FromMilliseconds(50),
            ProbeMaxDelay = TimeSpan.FromMilliseconds(400),
            HealthCheckInterval = TimeSpan.FromMilliseconds(200),
            ProbeTimeout = TimeSpan.FromSeconds(2),
        };
        FastClient(options.Client);
        for (var i = 0; i < servers.Length; i++)
        {
            options.Servers.Add(new PoolServerOptions { BaseAddress = servers[i].BaseAddress, Name = ((char)('a' + i)).ToString() });
        }

        return options;
    }

    public static void FastClient(ComfyUIClientOptions client)
    {
        client.RequestTimeout = TimeSpan.FromSeconds(10);
        client.WebSocket.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        client.WebSocket.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        client.WebSocket.ConnectTimeout = TimeSpan.FromSeconds(5);
        client.Tracking.PollInterval = TimeSpan.FromMilliseconds(100);
        client.Tracking.LostAfter = TimeSpan.FromMilliseconds(800);
        client.Tracking.SilenceReconcileInterval = TimeSpan.FromSeconds(2);
    }

    /// <summary>A prompt every fake server can run (a text output node).</summary>
    public static Workflow Text(string text, long seed = 0) => new WorkflowBuilder()
        .Add("SdkTestTextOutput", n => n.Set("text", text).Set("seed", seed))
        .Build();

    /// <summary>A prompt that needs the SdkTestSlow node class.</summary>
    public static Workflow Slow(double seconds, long seed = 0) => new WorkflowBuilder()
        .Add("SdkTestSlow", n => n.Set("seconds", seconds).Set("poll_seconds", 0.01).Set("report_progress", false).Set("seed", seed))
        .Build();

    /// <summary>A prompt whose SdkTestRaiseError chooses <paramref name="exceptionType"/> from a combo (its "model").</summary>
    public static Workflow Choosing(string exceptionType, long seed = 0) => new WorkflowBuilder()
        .Add("SdkTestTextOutput", n => n.Set("text", "before").Set("seed", seed))
        .Add("SdkTestRaiseError", n => n.Set("message", "chosen").Set("exception_type", exceptionType).Set("seed", seed))
        .Build();

    /// <summary>Waits, at each change of the pool, until <paramref name="condition"/> holds (with the tests' deadline).</summary>
    public static Task WaitUntilAsync(this ComfyUIPool pool, Func<ComfyUIPool, bool> condition) =>
        pool.WaitUntilAsync(condition, Ct).WaitAsync(Waits.Deadline, Ct);

    public static PoolServerState Server(this ComfyUIPool pool, string name) => pool.Servers.Single(s => s.Name == name);

    /// <summary>Waits until every server's health is known.</summary>
    public static Task ReadyAsync(this ComfyUIPool pool) => pool.GetServersAsync(Ct).WaitAsync(Waits.Deadline, Ct);
}

/// <summary>Records a pool's events from the moment it is created; tests wait for the next one that matches.</summary>
internal sealed class PoolEventLog : IAsyncDisposable
{
    private readonly List<PoolEvent> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _cursor;

    public PoolEventLog(ComfyUIPool pool)
    {
        var events = pool.ReadEventsAsync(_stop.Token);
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events)
                {
                    lock (_events)
                    {
                        _events.Add(e);
                    }

                    Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public IReadOnlyList<PoolEvent> All
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The next event after the last one returned that matches (with the tests' deadline).</summary>
    public async Task<PoolEvent> NextAsync(Func<PoolEvent, bool> match)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(PoolTestKit.Ct);
        deadline.CancelAfter(Waits.Deadline);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            lock (_events)
            {
                for (; _cursor < _events.Count; _cursor++)
                {
                    if (match(_events[_cursor]))
                    {
                        return _events[_cursor++];
                    }
                }
            }

            await changed.WaitAsync(deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
