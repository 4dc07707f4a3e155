using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ComfyUI.Client.SideBySide;

// dotnet run -c Release --project benchmarks/SideBySide [--quick] [--runs N] [--node-runs N] [--warmup N] [--prompts N] [--only a,b,c,d] [--clients raw,sdk,node] [--no-node] [--out DIR] [--server URL]
if (args.Contains("--serve"))
{
    await BenchServer.RunAsync(Path.Combine(AppContext.BaseDirectory, "Data"));
    return 0;
}

var settings = Settings.Parse(args);
var repoBenchmarks = Settings.FindBenchmarksFolder();
Console.WriteLine($"ComfyUI.Client side-by-side — {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores{(settings.Quick ? ", QUICK" : "")}");

await using var server = settings.Server is { } existing ? ServerProcess.Existing(existing) : await ServerProcess.StartAsync();
Console.WriteLine($"server: {server.BaseAddress} (separate process)");

var node = settings.Node ? await NodeClients.PrepareAsync(Path.Combine(repoBenchmarks, "SideBySide", "node")) : null;
var report = new Report(settings);

var clients = new List<Func<IBenchClient>>();
if (settings.IncludesClient("raw"))
{
    clients.Add(() => new RawDotNetClient(server.BaseAddress));
}

if (settings.IncludesClient("sdk"))
{
    clients.Add(() => new SdkClient(server.BaseAddress));
}

if (settings.Includes("a"))
{
    var count = settings.Quick ? 20 : 200;
    var workload = report.Add("a", $"fetch and parse /object_info (1.5 MB) ×{count}");
    await Measure.DotNetAsync(workload, clients, c => c.ObjectInfoAsync(count), settings, server);

    await Measure.NodeAsync(workload, node, server.BaseAddress, "objectinfo", settings, $"count={count}");
}

if (settings.Includes("b"))
{
    var progress = settings.Quick ? 10_000 : 100_000;
    var previews = settings.Quick ? 100 : 1_000;
    var workload = report.Add("b", $"WebSocket burst: {progress:N0} progress + {previews:N0} × 64 KB previews as typed events");
    await Measure.DotNetAsync(workload, clients, c => c.BurstAsync(progress, previews, 64 * 1024), settings, server);

    await Measure.NodeAsync(workload, node, server.BaseAddress, "burst", settings, $"progress={progress}", $"previews={previews}", "size=65536");
}

if (settings.Includes("c"))
{
    foreach (var executionMs in new[] { 0, 10 })
    {
        // Instant: 2,000 prompts. With 10 ms of execution each (so that clients which miss early events can keep up): 100 prompts.
        // Instant prompts take a few tens of µs each: 2,000 per run keep the spread of the (c) rows small on a noisy machine.
        var count = executionMs == 0 ? settings.InstantPrompts ?? (settings.Quick ? 200 : 2000) : (settings.Quick ? 30 : 100);
        await server.ConfigureAsync(executionMs);
        foreach (var concurrency in new[] { 1, 16 })
        {
            var key = (concurrency == 1 ? "c1" : "c16") + (executionMs == 0 ? "" : $"-{executionMs}ms");
            if (!settings.IncludesKey(key))
            {
                continue;
            }

            var workload = report.Add(key, items: count, title: executionMs == 0
                ? $"{count} prompts submitted and awaited, {concurrency} at a time (server executes instantly)"
                : $"{count} prompts submitted and awaited, {concurrency} at a time (each prompt executes for {executionMs} ms, one at a time)");
            // Instant prompts: a run is 10 slices per client, alternating, so that the pair being compared shares the machine's moment; and
            // twice the runs (these rows are the noisiest and the cheapest), so that the interval of each median is within ±10% on a shared VM.
            var slices = executionMs == 0 && count >= 1000 ? 10 : 1;
            await Measure.DotNetAsync(
                workload, clients, c => c.PromptsAsync(count / slices, concurrency), settings, server, slices: slices, runs: slices > 1 ? 2 * settings.Runs : null);

            // On an instant server the Node clients can miss their prompt's events (they arrive before the POST's answer is handled): fail fast.
            await Measure.NodeAsync(workload, node, server.BaseAddress, "prompts", settings, $"count={count}", $"concurrency={concurrency}", executionMs == 0 ? "timeout=10000" : "timeout=60000");
        }
    }

    await server.ConfigureAsync(0);
}

if (settings.Includes("d"))
{
    var size = (settings.Quick ? 50L : 200L) * 1024 * 1024;
    var mb = size / (1024 * 1024);
    var download = report.Add("d-down", $"download a {mb} MB file (/view), peak managed memory", memory: true);
    await Measure.DotNetAsync(download, clients, c => c.DownloadAsync(size), settings, server, sampleMemory: true);

    var upload = report.Add("d-up", $"upload a {mb} MB file (/upload/image), peak managed memory", memory: true);
    await Measure.DotNetAsync(upload, clients, c => c.UploadAsync(size), settings, server, sampleMemory: true);
}

report.Print();
var outFolder = settings.Out ?? Path.Combine(repoBenchmarks, "results");
var written = report.Write(outFolder);
Console.WriteLine($"written: {string.Join(", ", written)}");
return 0;

/// <summary>Command line.</summary>
internal sealed class Settings
{
    public bool Quick { get; private init; }

    /// <summary>
    /// Measured runs per .NET client (<c>--runs N</c>). 20 by default: on a shared 2-core VM single runs of the (c) rows wander by ±20% with the
    /// machine, so a row is judged by the 95% confidence interval of its median (6th to 15th of 20 runs), which is then within ±10%.
    /// </summary>
    public int Runs { get; private init; } = 20;

    /// <summary>Measured runs per Node.js client (<c>--node-runs N</c>): they are 2–10× behind, so fewer runs tell as much.</summary>
    public int NodeRuns { get; private init; } = 5;

    /// <summary>Unmeasured rounds before the measured ones (<c>--warmup N</c>).</summary>
    public int Warmups { get; private init; } = 3;

    public bool Node { get; private init; } = true;

    public string? Out { get; private init; }

    /// <summary>An already running benchmark server (<c>--server URL</c>, for development), instead of starting one.</summary>
    public Uri? Server { get; private init; }

    public HashSet<string> Only { get; private init; } = [];

    /// <summary>Instant prompts per (c) run (<c>--prompts N</c>), instead of the default.</summary>
    public int? InstantPrompts { get; private init; }

    public HashSet<string> Clients { get; private init; } = [];

    public bool Includes(string workload) => Only.Count == 0 || Only.Any(o => o.StartsWith(workload, StringComparison.Ordinal));

    public bool IncludesKey(string key) => Only.Count == 0 || Only.Contains(key) || Only.Contains(key[..1]);

    /// <summary>raw, sdk, node (<c>--clients raw,sdk</c>; all by default).</summary>
    public bool IncludesClient(string client) => Clients.Count == 0 || Clients.Contains(client);

    public static Settings Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        return new Settings
        {
            Quick = quick,
            Runs = Value("--runs") is { } runs ? int.Parse(runs, CultureInfo.InvariantCulture) : quick ? 3 : 20,
            NodeRuns = Value("--node-runs") is { } nodeRuns ? int.Parse(nodeRuns, CultureInfo.InvariantCulture) : quick ? 3 : 5,
            Warmups = Value("--warmup") is { } warmups ? int.Parse(warmups, CultureInfo.InvariantCulture) : quick ? 1 : 3,
            Node = !args.Contains("--no-node") && (Value("--clients") is not { } list || list.Contains("node", StringComparison.Ordinal)),
            Clients = Value("--clients") is { } names ? [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries)] : [],
            Out = Value("--out"),
            Server = Value("--server") is { } server ? new Uri(server.EndsWith('/') ? server : server + "/") : null,
            InstantPrompts = Value("--prompts") is { } prompts ? int.Parse(prompts, CultureInfo.InvariantCulture) : null,
            Only = Value("--only") is { } only ? [.. only.Split(',', StringSplitOptions.RemoveEmptyEntries)] : [],
        };
    }

    /// <summary>The repository's benchmarks/ folder (where the Node drivers and results live), found upwards from here.</summary>
    public static string FindBenchmarksFolder()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "benchmarks", "SideBySide", "node", "driver.mjs");
                if (File.Exists(candidate))
                {
                    return Path.Combine(dir.FullName, "benchmarks");
                }

                if (File.Exists(Path.Combine(dir.FullName, "SideBySide", "node", "driver.mjs")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository: benchmarks/SideBySide/node/driver.mjs was not found.");
    }
}

/// <summary>The benchmark server, in its own process (its work and garbage stay out of the measured clients).</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process? _process;

    public static ServerProcess Existing(Uri baseAddress) => new(null, baseAddress);

    private ServerProcess(Process? process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<ServerProcess> StartAsync()
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.FileName = self;
            info.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        }
        else
        {
            info.FileName = self;
        }

        info.ArgumentList.Add("--serve");
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server process.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The server process ended.");
            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                var address = line["LISTENING ".Length..].Trim();
                return new ServerProcess(process, new Uri(address.EndsWith('/') ? address : address + "/"));
            }
        }
    }

    public async Task ConfigureAsync(int executionMs)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var response = await http.PostAsync($"bench/config?executionMs={executionMs}", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Clears the server's history between measured runs.</summary>
    public async Task ResetAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var response = await http.PostAsync("bench/reset", null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

/// <summary>The Node.js clients: installed with npm into an ignored folder, driven by driver.mjs.</summary>
internal sealed class NodeClients
{
    public static readonly (string Key, string Name)[] All =
    [
        ("saintno", "@saintno/comfyui-sdk 0.3.1"),
        ("stablecanvas", "@stable-canvas/comfyui-client 1.5.9"),
    ];

    private NodeClients(string folder) => Folder = folder;

    public string Folder { get; }

    public static async Task<NodeClients?> PrepareAsync(string folder)
    {
        if (!await RunAsync("node", ["--version"], folder, TimeSpan.FromSeconds(20)))
        {
            Console.WriteLine("node: not found; the Node.js clients are skipped");
            return null;
        }

        var installed = File.Exists(Path.Combine(folder, "node_modules", "@saintno", "comfyui-sdk", "package.json"))
            && File.Exists(Path.Combine(folder, "node_modules", "@stable-canvas", "comfyui-client", "package.json"))
            && File.Exists(Path.Combine(folder, "node_modules", "ws", "package.json"));
        if (!installed)
        {
            Console.WriteLine("npm install --no-package-lock (the Node.js clients, into benchmarks/SideBySide/node/node_modules) …");
            if (!await RunAsync("npm", ["install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"], folder, TimeSpan.FromMinutes(5)))
            {
                Console.WriteLine("npm install failed; the Node.js clients are skipped");
                return null;
            }
        }

        return new NodeClients(folder);
    }

    public async Task<(List<double> Runs, string? Error)> RunAsync(string client, Uri baseAddress, string workload, int runs, string[] parameters)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("driver.mjs");
        info.ArgumentList.Add(client);
        info.ArgumentList.Add(workload);
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        info.ArgumentList.Add(runs.ToString(CultureInfo.InvariantCulture));
        foreach (var parameter in parameters)
        {
            info.ArgumentList.Add(parameter);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            return ([], "timed out");
        }

        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            var error = (await stderr).Trim();
            return ([], "no result: " + (error.Length > 300 ? error[..300] : error));
        }

        using var document = JsonDocument.Parse(line);
        var times = document.RootElement.GetProperty("runs").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var failure = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        return (times, failure);
    }

    private static async Task<bool> RunAsync(string file, string[] arguments, string folder, TimeSpan timeout)
    {
        try
        {
            var info = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(timeout);
            if (process.ExitCode != 0)
            {
                Console.WriteLine((await output) + (await error));
            }

            return process.ExitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>Runs and times the workloads.</summary>
internal static class Measure
{
    /// <summary>
    /// Measures the .NET clients interleaved, each round on a freshly reset server, so that drift of the machine or the server over time lands
    /// on every client alike. With <paramref name="slices"/> &gt; 1 a round is cut finer: the work is done in that many slices, alternating the
    /// clients slice by slice (and which one goes first), and a client's run is the sum of its slices: the two clients of a pair then share the
    /// same second of the machine, not two neighbouring ones. Warm-up rounds first, not counted.
    /// </summary>
    public static async Task DotNetAsync(
        Workload workload, IReadOnlyList<Func<IBenchClient>> creates, Func<IBenchClient, Task> work, Settings settings, ServerProcess server,
        bool sampleMemory = false, int slices = 1, int? runs = null)
    {
        var measuredRuns = runs ?? settings.Runs;
        var active = new List<(IBenchClient Client, ClientResult Result)>();
        try
        {
            foreach (var create in creates)
            {
                var client = create();
                var result = workload.Start(client.Name);
                active.Add((client, result));
            }

            // Warm-up rounds (the JIT tiers code up over the first runs), then the measured rounds.
            for (var i = 0; i < settings.Warmups + measuredRuns; i++)
            {
                var measured = i >= settings.Warmups;
                if (slices == 1)
                {
                    foreach (var (client, result) in active)
                    {
                        if (result.Error is null)
                        {
                            await server.ResetAsync();
                            var run = await RunOnceAsync(client, result, work, sampleMemory, measured);
                            run?.AddTo(result, sampleMemory);
                        }
                    }

                    continue;
                }

                await server.ResetAsync();
                var totals = active.Select(_ => new RunTotals()).ToArray();
                for (var slice = 0; slice < slices; slice++)
                {
                    for (var n = 0; n < active.Count; n++)
                    {
                        var index = slice % 2 == 0 ? n : active.Count - 1 - n;
                        var (client, result) = active[index];
                        if (result.Error is null && await RunOnceAsync(client, result, work, sampleMemory: false, measured) is { } part)
                        {
                            totals[index].Add(part);
                        }
                    }
                }

                for (var n = 0; n < active.Count; n++)
                {
                    if (measured && active[n].Result.Error is null)
                    {
                        totals[n].AddTo(active[n].Result, sampleMemory: false);
                    }
                }
            }
        }
        finally
        {
            foreach (var (client, result) in active)
            {
                await client.DisposeAsync();
                Console.WriteLine(result.Error is null
                    ? $"  [{workload.Key}] {result.Client,-40} median {Stats.Median(result.Seconds):F3} s, CPU {Stats.Median(result.CpuSeconds):F3} s"
                    : $"  [{workload.Key}] {result.Client,-40} {result.Error}");
            }
        }
    }

    /// <summary>One measured piece of work; <see langword="null"/> when not measured or failed (the error is on the result).</summary>
    private static async Task<RunTotals?> RunOnceAsync(IBenchClient client, ClientResult result, Func<IBenchClient, Task> work, bool sampleMemory, bool measured)
    {
        try
        {
            if (!measured)
            {
                await work(client);
                return null;
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var sampler = sampleMemory ? new PeakMemorySampler() : null;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await work(client);
            watch.Stop();
            var totals = new RunTotals();
            totals.Add(
                watch.Elapsed.TotalSeconds,
                (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds,
                GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
                sampler?.Stop() ?? 0);
            return totals;
        }
        catch (NotSupportedException ex)
        {
            result.Error = "n/a: " + ex.Message;
        }
        catch (Exception ex)
        {
            result.Error = "FAILED " + ex.GetType().Name + ": " + ex.Message;
        }

        return null;
    }

    /// <summary>What one run (or the sum of its slices) measured.</summary>
    private sealed class RunTotals
    {
        private double _seconds;
        private double _cpuSeconds;
        private long _allocated;
        private long _peak;

        public void Add(RunTotals part) => Add(part._seconds, part._cpuSeconds, part._allocated, part._peak);

        public void Add(double seconds, double cpuSeconds, long allocated, long peak)
        {
            _seconds += seconds;
            _cpuSeconds += cpuSeconds;
            _allocated += allocated;
            _peak = Math.Max(_peak, peak);
        }

        public void AddTo(ClientResult result, bool sampleMemory)
        {
            result.Seconds.Add(_seconds);
            result.CpuSeconds.Add(_cpuSeconds);
            result.AllocatedBytes.Add(_allocated);
            if (sampleMemory)
            {
                result.PeakBytes.Add(_peak);
            }
        }
    }

    public static async Task NodeAsync(Workload workload, NodeClients? node, Uri baseAddress, string name, Settings settings, params string[] parameters)
    {
        if (node is null)
        {
            return;
        }

        foreach (var (key, display) in NodeClients.All)
        {
            var result = workload.Start(display, node: true);
            Console.Write($"  [{workload.Key}] {display,-40}");
            // One warm-up run for Node.js (V8 warms up within it; the .NET clients get more for tiered compilation).
            var (times, error) = await node.RunAsync(key, baseAddress, name, settings.NodeRuns, [.. parameters, "warmup=1"]);
            result.Seconds.AddRange(times);
            result.Error = error;
            Console.WriteLine(error is null ? $" median {Stats.Median(times):F3} s" : $" FAILED {error}");
        }
    }
}

/// <summary>
/// Samples the managed heap (<see cref="GC.GetTotalMemory(bool)"/>, which counts garbage not yet collected too) every millisecond on its own thread and
/// keeps the peak above the level at the start. An upper bound of what the operation held.
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly long _baseline = GC.GetTotalMemory(forceFullCollection: true);
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _peak;

    public PeakMemorySampler()
    {
        _peak = _baseline;
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                var now = GC.GetTotalMemory(forceFullCollection: false);
                if (now > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, now);
                }

                Thread.Sleep(1);
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public long Stop()
    {
        _stop = true;
        _thread.Join();
        var now = GC.GetTotalMemory(forceFullCollection: false);
        return Math.Max(Interlocked.Read(ref _peak), now) - _baseline;
    }

    public void Dispose()
    {
        _stop = true;
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Median(IReadOnlyList<long> values) => Median(values.Select(v => (double)v).ToArray());

    /// <summary>
    /// A distribution-free confidence interval of the median: the k-th smallest and k-th largest run, with k the largest for which the interval
    /// covers the true median with at least 95% probability (binomial order statistics; 20 runs: 6th to 15th). Below 6 runs no pair reaches
    /// 95%, and the interval is the whole range (5 runs: 94%).
    /// </summary>
    public static (double Low, double High, double Coverage) MedianInterval(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        var k = 1;
        while (k + 1 <= n / 2 && Coverage(n, k + 1) >= 0.95)
        {
            k++;
        }

        return (sorted[k - 1], sorted[n - k], Coverage(n, k));
    }

    /// <summary>The half-width of <see cref="MedianInterval"/> relative to the median: the row's spread.</summary>
    public static double Spread(IReadOnlyList<double> values)
    {
        var (low, high, _) = MedianInterval(values);
        return (high - low) / 2 / Median(values);
    }

    /// <summary>Run by run, the client's time over raw .NET's in the same round (the .NET clients run interleaved, so both saw the same machine).</summary>
    public static double[]? PairedRatios(ClientResult result, ClientResult? raw) =>
        raw is not null && !result.IsNode && result.Seconds.Count == raw.Seconds.Count
            ? result.Seconds.Select((seconds, i) => seconds / raw.Seconds[i]).ToArray()
            : null;

    /// <summary>P(k-th smallest &lt;= median &lt;= k-th largest) for n runs: 1 - 2 P(Binomial(n, 1/2) &lt; k).</summary>
    private static double Coverage(int n, int k)
    {
        double below = 0, term = Math.Pow(0.5, n);
        for (var i = 0; i < k; i++)
        {
            below += term;
            term = term * (n - i) / (i + 1);
        }

        return 1 - 2 * below;
    }
}

internal sealed class ClientResult
{
    public required string Client { get; init; }

    public List<double> Seconds { get; } = [];

    public List<long> AllocatedBytes { get; } = [];

    /// <summary>CPU time of the harness process per run (the client's work; the server runs in its own process).</summary>
    public List<double> CpuSeconds { get; } = [];

    public List<long> PeakBytes { get; } = [];

    public string? Error { get; set; }

    /// <summary>A Node.js client: run in its own process after the .NET ones, not paired with raw .NET's runs.</summary>
    public bool IsNode { get; init; }
}

internal sealed class Workload
{
    public required string Key { get; init; }

    public required string Title { get; init; }

    public bool Memory { get; init; }

    /// <summary>How many items (prompts) one run handles, for the per-item allocation; 0 when not counted.</summary>
    public int Items { get; init; }

    public List<ClientResult> Results { get; } = [];

    public ClientResult Start(string client, bool node = false)
    {
        var result = new ClientResult { Client = client, IsNode = node };
        Results.Add(result);
        return result;
    }
}

/// <summary>Tables on the console and as Markdown and JSON.</summary>
internal sealed class Report(Settings settings)
{
    private readonly List<Workload> _workloads = [];

    public Workload Add(string key, string title, bool memory = false, int items = 0)
    {
        var workload = new Workload { Key = key, Title = title, Memory = memory, Items = items };
        _workloads.Add(workload);
        Console.WriteLine($"({key}) {title}");
        return workload;
    }

    public void Print() => Console.WriteLine(Environment.NewLine + Markdown());

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Side-by-side run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC — {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores; {settings.Runs} measured runs per .NET client ({2 * settings.Runs} for the instant-prompt rows, each run 10 alternating slices) after {settings.Warmups} warm-up runs (interleaved run by run), {settings.NodeRuns} per Node.js client after 1{(settings.Quick ? "; QUICK sizes" : "")}.");
        text.AppendLine("Time is the median of the runs; spread is ± half the 95% confidence interval of that median (order statistics; with fewer than 6 runs the whole range), over the median. "
            + "Ratio is the client's time over raw .NET's (lower is better): for the .NET clients the median of the run-by-run ratios (each pair ran back to back on the same machine), with its 95% interval; for Node.js the ratio of the medians. "
            + "CPU is the harness process's CPU time per run (the server runs in its own process).");
        foreach (var workload in _workloads)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"### ({workload.Key}) {workload.Title}").AppendLine();
            text.AppendLine(workload.Memory
                ? "| client | median | spread | ratio to raw .NET | peak managed memory (median) | allocated per run |"
                : "| client | median | spread | ratio to raw .NET | CPU per run (.NET) | allocated per run (.NET) |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|");
            var raw = workload.Results.FirstOrDefault(r => r.Client == "raw .NET" && r.Error is null && r.Seconds.Count > 0);
            var rawMedian = raw is null ? double.NaN : Stats.Median(raw.Seconds);
            foreach (var result in workload.Results)
            {
                if (result.Seconds.Count == 0)
                {
                    text.AppendLine($"| {result.Client} | {result.Error ?? "no runs"} | | | | |");
                    continue;
                }

                var median = Stats.Median(result.Seconds);
                var spread = Stats.Spread(result.Seconds);
                var paired = Stats.PairedRatios(result, raw);
                var ratio = paired is null ? FormattableString.Invariant($"{median / rawMedian:F2}×")
                    : ReferenceEquals(result, raw) ? "1.00×"
                    : FormattableString.Invariant($"{Stats.Median(paired):F2}× ({Stats.MedianInterval(paired).Low:F2}–{Stats.MedianInterval(paired).High:F2})");
                var allocated = result.AllocatedBytes.Count > 0 ? Bytes(Stats.Median(result.AllocatedBytes)) : "—";
                if (workload.Items > 0 && result.AllocatedBytes.Count > 0)
                {
                    allocated += $" ({Bytes(Stats.Median(result.AllocatedBytes) / workload.Items)} per prompt)";
                }

                var cpu = result.CpuSeconds.Count > 0 ? Time(Stats.Median(result.CpuSeconds)) : "—";
                var note = result.Error is null ? "" : $" ({result.Error})";
                text.AppendLine(workload.Memory
                    ? FormattableString.Invariant($"| {result.Client}{note} | {Time(median)} | ±{spread * 100:F0}% | {ratio} | {Bytes(Stats.Median(result.PeakBytes))} | {allocated} |")
                    : FormattableString.Invariant($"| {result.Client}{note} | {Time(median)} | ±{spread * 100:F0}% | {ratio} | {cpu} | {allocated} |"));
            }
        }

        return text.ToString();
    }

    public IReadOnlyList<string> Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var md = Path.Combine(folder, $"sidebyside-{stamp}.md");
        File.WriteAllText(md, Markdown());
        var json = Path.Combine(folder, $"sidebyside-{stamp}.json");
        using (var stream = File.Create(json))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("utc", DateTime.UtcNow);
            writer.WriteString("runtime", RuntimeInformation.FrameworkDescription);
            writer.WriteString("os", RuntimeInformation.OSDescription);
            writer.WriteNumber("cores", Environment.ProcessorCount);
            writer.WriteBoolean("quick", settings.Quick);
            writer.WriteNumber("runs", settings.Runs);
            writer.WriteNumber("node_runs", settings.NodeRuns);
            writer.WriteNumber("warmups", settings.Warmups);
            writer.WriteStartArray("workloads");
            foreach (var workload in _workloads)
            {
                writer.WriteStartObject();
                writer.WriteString("key", workload.Key);
                writer.WriteString("title", workload.Title);
                var raw = workload.Results.FirstOrDefault(r => r.Client == "raw .NET" && r.Seconds.Count > 0);
                writer.WriteStartArray("clients");
                foreach (var result in workload.Results)
                {
                    writer.WriteStartObject();
                    writer.WriteString("client", result.Client);
                    writer.WriteStartArray("seconds");
                    result.Seconds.ForEach(writer.WriteNumberValue);
                    writer.WriteEndArray();
                    if (result.Seconds.Count > 0)
                    {
                        var median = Stats.Median(result.Seconds);
                        var (low, high, coverage) = Stats.MedianInterval(result.Seconds);
                        writer.WriteNumber("median_seconds", median);
                        writer.WriteNumber("median_interval_low_seconds", low);
                        writer.WriteNumber("median_interval_high_seconds", high);
                        writer.WriteNumber("median_interval_coverage", coverage);
                        writer.WriteNumber("spread", Stats.Spread(result.Seconds));
                        writer.WriteNumber("range_spread", (result.Seconds.Max() - result.Seconds.Min()) / 2 / median);
                        if (raw is not null)
                        {
                            writer.WriteNumber("ratio_of_medians", median / Stats.Median(raw.Seconds));
                            if (Stats.PairedRatios(result, raw) is { } paired)
                            {
                                writer.WriteNumber("ratio_to_raw", Stats.Median(paired));
                                writer.WriteNumber("ratio_interval_low", Stats.MedianInterval(paired).Low);
                                writer.WriteNumber("ratio_interval_high", Stats.MedianInterval(paired).High);
                            }
                            else
                            {
                                writer.WriteNumber("ratio_to_raw", median / Stats.Median(raw.Seconds));
                            }
                        }
                    }

                    if (result.CpuSeconds.Count > 0)
                    {
                        writer.WriteNumber("cpu_seconds_median", Stats.Median(result.CpuSeconds));
                    }

                    if (result.AllocatedBytes.Count > 0)
                    {
                        writer.WriteNumber("allocated_bytes_median", Stats.Median(result.AllocatedBytes));
                        if (workload.Items > 0)
                        {
                            writer.WriteNumber("allocated_bytes_per_prompt", Stats.Median(result.AllocatedBytes) / workload.Items);
                        }

                    }

                    if (result.PeakBytes.Count > 0)
                    {
                        writer.WriteNumber("peak_managed_bytes_median", Stats.Median(result.PeakBytes));
                        writer.WriteNumber("peak_managed_bytes_max", result.PeakBytes.Max());
                    }

                    if (result.Error is not null)
                    {
                        writer.WriteString("error", result.Error);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return [md, json];
    }

    private static string Time(double seconds) => seconds >= 1 ? FormattableString.Invariant($"{seconds:F2} s") : FormattableString.Invariant($"{seconds * 1000:F1} ms");

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1024 * 1024 => FormattableString.Invariant($"{bytes / (1024 * 1024):F1} MB"),
        >= 1024 => FormattableString.Invariant($"{bytes / 1024:F0} KB"),
        _ => FormattableString.Invariant($"{bytes:F0} B"),
    };
}
