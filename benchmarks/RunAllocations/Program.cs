// The allocation profile of one tracked run (SubmitAsync + WaitAsync of an instant prompt): bytes allocated per run over the whole process,
// and the types allocated most, from the runtime's allocation sampling (GCAllocationTick, one sample per ~100 KB, so run a few thousand).
// The server must run in another process, so that only the client's allocations count: the side-by-side harness's server fits.
//
//   dotnet run -c Release --project benchmarks/SideBySide -- --serve        # prints LISTENING http://127.0.0.1:PORT
//   dotnet run -c Release --project benchmarks/RunAllocations -- http://127.0.0.1:PORT/ 3000 [TOP-TYPES] [--requests]
//
// It also prints the wall and CPU time per run, one run at a time (TOP-TYPES 0 turns the sampler off for those).
//
// --requests also counts the HTTP requests per run by route (from the System.Net.Http event source; its events allocate, so the bytes per run
// are only exact without it).
using System.Diagnostics.Tracing;
using System.Globalization;
using ComfyUI.Client;

var server = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8188/");
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000;
var workflow = Workflow.Parse(
    """{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 48, "batch_size": 1, "color": 3368652}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "sdk_test/empty"}}}""");
await using var client = new ComfyUIClient(new ComfyUIClientOptions { BaseAddress = server, ClientId = "alloc-" + Guid.NewGuid().ToString("N") });
for (var i = 0; i < 300; i++)
{
    await client.RunAsync(workflow);
}

var topTypes = args.Length > 2 && int.TryParse(args[2], out var top) ? top : 30;
// The sampler's events cost time of their own: with TOP-TYPES 0 (and no --requests) nothing listens, and the timings are the run's alone.
using var listener = topTypes > 0 || args.Contains("--requests") ? new AllocationSampler(countRequests: args.Contains("--requests")) : null;
var before = GC.GetTotalAllocatedBytes(precise: true);
var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
var watch = System.Diagnostics.Stopwatch.StartNew();
for (var i = 0; i < count; i++)
{
    await client.RunAsync(workflow);
}

var elapsed = watch.Elapsed;
var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
var perRun = (GC.GetTotalAllocatedBytes(precise: true) - before) / count;
Console.WriteLine($"{perRun} bytes allocated per tracked run ({count} runs)");
Console.WriteLine($"{elapsed.TotalMicroseconds / count:0} µs per run, {cpu.TotalMicroseconds / count:0} µs of this process's CPU per run (one at a time; timings vary with the machine)");
foreach (var (request, times) in listener?.Requests() ?? [])
{
    Console.WriteLine($"{(double)times / count,8:0.###} per run  {request}");
}

foreach (var (type, bytes) in listener?.Top(topTypes) ?? [])
{
    Console.WriteLine($"{bytes / count,8} B/run  {type}");
}

/// <summary>Sums the runtime's allocation samples by type, and counts the HTTP requests by method and path (ids left out).</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly bool _countRequests;

    public AllocationSampler(bool countRequests)
    {
        _countRequests = countRequests;
        foreach (var source in EventSource.GetSources())
        {
            OnEventSourceCreated(source);
        }
    }

    public IReadOnlyList<(string Request, long Times)> Requests()
    {
        lock (_requests)
        {
            return _requests.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value)).ToArray();
        }
    }

    public IReadOnlyList<(string Type, long Bytes)> Top(int count)
    {
        lock (_bytes)
        {
            return _bytes.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value)).ToArray();
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: GCAllocationTick
        }
        else if (eventSource.Name == "System.Net.Http" && _countRequests)
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName == "RequestStart" && eventData.PayloadNames is { } requestNames)
        {
            var path = requestNames.IndexOf("pathAndQuery") is var p and >= 0 ? eventData.Payload![p] as string ?? "?" : "?";
            var key = path.StartsWith("/api/history/", StringComparison.Ordinal) ? "GET /api/history/{id}" : path;
            lock (_requests)
            {
                _requests[key] = _requests.GetValueOrDefault(key) + 1;
            }

            return;
        }

        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload![t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload![a], CultureInfo.InvariantCulture) : 100_000;
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
