using System.CommandLine;
using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>comfyui fake-server [--port N]</c>: an in-process fake ComfyUI in the foreground until Ctrl+C.</summary>
internal static class FakeServerCommand
{
    public static void Add(RootCommand root)
    {
        var port = new Option<int>("--port") { Description = "The port (0 picks a free one)", DefaultValueFactory = _ => 8188 };
        var command = new Command("fake-server", "Run FakeComfyUIServer (model-free nodes, real protocol) until Ctrl+C") { port };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = CliApp.Output(result);
            try
            {
                await using var server = await FakeComfyUIServer.StartAsync(new FakeComfyUIServerOptions { Port = result.GetValue(port) }, cancellationToken).ConfigureAwait(false);
                output.Object(w =>
                {
                    w.WriteString("type", "listening");
                    w.WriteString("url", server.BaseAddress.ToString());
                });
                output.Line($"FakeComfyUIServer listening on {server.BaseAddress} (Ctrl+C to stop)");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return CliApp.Fail(output, ex);
            }
        });
        root.Add(command);
    }
}
