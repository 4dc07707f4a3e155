using ComfyUI.Client.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the running command (for `run`: only its own prompt); a second one ends the process.
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        cancel.Cancel();
    }
};

return await CliApp.RunAsync(args, Console.Out, Console.Error, cancel.Token);
