// Pool: many ComfyUI servers as one. Prompts go to a server that can run them (its node classes and model lists), the least loaded first;
// a prompt no server can run fails at once with each server's reason; servers can be drained, added and removed while prompts run.
//
//   dotnet run --project samples/Pool                                        three embedded fake servers (no ComfyUI needed)
//   dotnet run --project samples/Pool -- --server URL --server URL2 …        real servers (the prompts use the SDK's test nodes)
using ComfyUI.Client;
using ComfyUI.Client.Testing;

var servers = new List<Uri>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--server" && i + 1 < args.Length)
    {
        servers.Add(new Uri(args[++i]));
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: Pool [--server URL]…");
        return 2;
    }
}

// Without servers: three fakes with different capabilities: "small" lacks the slow node class, "few-models" lists only two of the four
// choices of a combo (as a server with fewer checkpoints would).
var fakes = new List<FakeComfyUIServer>();
if (servers.Count == 0)
{
    var small = new FakeComfyUIServerOptions();
    small.ExcludedNodeClasses.Add("SdkTestSlow");
    var fewModels = new FakeComfyUIServerOptions();
    fewModels.ComboChoices["SdkTestRaiseError.exception_type"] = ["RuntimeError", "ValueError"];
    foreach (var options in new[] { new FakeComfyUIServerOptions(), small, fewModels })
    {
        var fake = await FakeComfyUIServer.StartAsync(options);
        fakes.Add(fake);
        servers.Add(fake.BaseAddress);
    }

    Console.WriteLine($"No --server given: started {fakes.Count} embedded fake servers (full, small, few-models).");
}

try
{
    var poolOptions = new ComfyUIPoolOptions();
    string[] names = ["full", "small", "few-models"];
    for (var i = 0; i < servers.Count; i++)
    {
        poolOptions.Servers.Add(new PoolServerOptions { BaseAddress = servers[i], Name = fakes.Count > 0 ? names[i] : null });
    }

    await using var pool = new ComfyUIPool(poolOptions);
    using var stop = new CancellationTokenSource();
    var events = Task.Run(async () =>
    {
        try
        {
            await foreach (var e in pool.ReadEventsAsync(stop.Token))
            {
                Console.WriteLine($"  [pool] {e.ServerName}: {e.Kind}{(e.Message is null ? "" : " — " + e.Message)}");
            }
        }
        catch (OperationCanceledException)
        {
            // the sample is done
        }
    });

    Console.WriteLine("Servers:");
    foreach (var state in await pool.GetServersAsync())
    {
        Console.WriteLine($"  {state}");
    }

    // Prompts every server can run: spread over the least loaded.
    var texts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => pool.RunAsync(Text($"hello {i}", i))));
    foreach (var result in texts)
    {
        Console.WriteLine($"text prompt {result.PromptId[..8]} ran on {result.Server}: {string.Join(" ", result.Texts)}");
    }

    // A prompt that needs a node class only some servers have.
    var slow = await pool.RunAsync(new WorkflowBuilder()
        .Add("SdkTestSlow", n => n.Set("seconds", 0.2).Set("poll_seconds", 0.05).Set("report_progress", true).Set("seed", 1))
        .Build());
    Console.WriteLine($"slow prompt ran on {slow.Server} (a server with SdkTestSlow)");

    // A prompt no server can run fails at once, with each server's reason, and nothing is queued anywhere.
    try
    {
        await pool.RunAsync(new WorkflowBuilder().Add("NotInstalledAnywhere", n => n.Set("x", 1)).Build());
    }
    catch (ComfyUIPoolException ex)
    {
        Console.WriteLine("as expected: " + ex.Message);
        foreach (var rejection in ex.Rejections)
        {
            Console.WriteLine($"  {rejection.ServerName}: {rejection.Kind}");
        }
    }

    // Drain the first server (no new prompts; the task ends when its prompts have), run more, then take it back.
    var first = pool.Servers[0].Name;
    await pool.DrainServerAsync(first);
    var whileDraining = await pool.RunAsync(Text("while draining", 99));
    Console.WriteLine($"while {first} drains, a prompt ran on {whileDraining.Server}");
    pool.ResumeServer(first);

    await stop.CancelAsync();
    await events;
    return 0;
}
finally
{
    foreach (var fake in fakes)
    {
        await fake.DisposeAsync();
    }
}

static Workflow Text(string text, long seed) => new WorkflowBuilder()
    .Add("SdkTestTextOutput", n => n.Set("text", text).Set("seed", seed))
    .Build();
