// Runs a FakeComfyUIServer until Ctrl+C: dotnet run --project samples/FakeServer -- --port 8189
using System.Globalization;
using ComfyUI.Client.Testing;

var port = 8189;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var server = await FakeComfyUIServer.StartAsync(new FakeComfyUIServerOptions { Port = port });
Console.WriteLine($"FakeComfyUIServer listening on {server.BaseAddress} (Ctrl+C to stop)");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("Stopping.");
