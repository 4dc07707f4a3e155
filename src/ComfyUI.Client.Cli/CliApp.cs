using System.CommandLine;
using ComfyUI.Client.Cli.Commands;

namespace ComfyUI.Client.Cli;

/// <summary>The <c>comfyui</c> command line: parses, runs one command, maps the outcome to an exit code. Testable in-process.</summary>
internal static class CliApp
{
    public static readonly Option<string?> Server = new("--server")
    {
        Description = "The ComfyUI server (default: $COMFYUI_URL, else http://127.0.0.1:8188)",
        Recursive = true,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "An API key for a proxy in front of ComfyUI (sent as Authorization: Bearer …)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Machine-readable output: one JSON object per line", Recursive = true };

    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces on errors", Recursive = true };

    /// <summary>Runs the command line and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = new RootCommand("comfyui — drive a ComfyUI server: run workflows, watch events, manage the queue, history, models and files.")
        {
            Server,
            ApiKey,
            Json,
            Verbose,
        };
        RunCommand.Add(root);
        WatchCommand.Add(root);
        QueueCommands.Add(root);
        DiscoveryCommands.Add(root);
        FileCommands.Add(root);
        FakeServerCommand.Add(root);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine("error: " + error.Message);
            }

            stderr.WriteLine("Run 'comfyui --help' for usage.");
            return ExitCodes.Usage;
        }

        var output = new CliOutput(stdout, stderr, parsed.GetValue(Json), parsed.GetValue(Verbose));
        CurrentOutput.Value = output;
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Fail(output, ex);
        }
    }

    /// <summary>The output of the command being run (set before invocation, read by command actions).</summary>
    internal static readonly AsyncLocal<CliOutput> CurrentOutput = new();

    internal static CliOutput Output(ParseResult result) => CurrentOutput.Value ?? new CliOutput(Console.Out, Console.Error, result.GetValue(Json), result.GetValue(Verbose));

    /// <summary>Creates the client for the server the command line names.</summary>
    internal static ComfyUIClient CreateClient(ParseResult result)
    {
        var address = result.GetValue(Server) ?? Environment.GetEnvironmentVariable("COMFYUI_URL");
        if (string.IsNullOrWhiteSpace(address))
        {
            address = "http://127.0.0.1:8188";
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"'{address}' is not an http(s) server address.");
        }

        var options = new ComfyUIClientOptions { BaseAddress = uri, ApiKey = result.GetValue(ApiKey) };
        options.WebSocket.ConnectTimeout = TimeSpan.FromSeconds(10);
        return new ComfyUIClient(options);
    }

    /// <summary>One clear line per failure, mapped to an exit code; the stack trace only with --verbose.</summary>
    internal static int Fail(CliOutput output, Exception ex)
    {
        var (code, message) = ex switch
        {
            CliUsageException usage => (ExitCodes.Usage, usage.Message),
            ComfyUIPromptValidationException rejected => (ExitCodes.RunFailed, "the server rejected the prompt: " + rejected.Message),
            ComfyUIExecutionException failed => (ExitCodes.For(failed.Status), failed.Message),
            ComfyUIApiException api when (int)api.StatusCode >= 500 && api.Error is null => (ExitCodes.Unreachable, api.Message),
            ComfyUIApiException api => (ExitCodes.RunFailed, api.Message),
            ComfyUIProtocolException protocol => (ExitCodes.Unreachable, "the server sent data that cannot be read: " + protocol.Message),
            ComfyUITimeoutException timeout => (ExitCodes.Unreachable, timeout.Message),
            ComfyUIWebSocketException socket => (ExitCodes.Unreachable, "WebSocket: " + socket.Message),
            ComfyUIPromptFateUnknownException unknown => (ExitCodes.Unreachable, "server unreachable, the prompt may have been queued: " + unknown.Message),
            ComfyUIConnectionException connection => (ExitCodes.Unreachable, "server unreachable: " + connection.Message),
            HttpRequestException http => (ExitCodes.Unreachable, "server unreachable: " + http.Message),
            OperationCanceledException => (ExitCodes.Cancelled, "cancelled"),
            FileNotFoundException file => (ExitCodes.Usage, file.Message),
            DirectoryNotFoundException directory => (ExitCodes.Usage, directory.Message),
            FormatException format => (ExitCodes.Usage, format.Message),
            _ => (ExitCodes.RunFailed, ex.GetType().Name + ": " + ex.Message),
        };

        if (output.Json)
        {
            output.Object(w =>
            {
                w.WriteString("type", "error");
                w.WriteString("message", message);
                w.WriteNumber("exit_code", code);
            });
        }

        output.Fail(message);
        if (output.Verbose)
        {
            output.Error.WriteLine(ex.ToString());
        }

        return code;
    }
}
