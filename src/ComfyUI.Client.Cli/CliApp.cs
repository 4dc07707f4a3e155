using System.CommandLine;
using System.CommandLine.Help;
using ComfyUI.Client.Cli.Commands;

namespace ComfyUI.Client.Cli;

/// <summary>The <c>comfyui</c> command line: parses, runs one command, maps the outcome to an exit code. Testable in-process.</summary>
internal static class CliApp
{
    public static readonly Option<string[]> Server = new("--server")
    {
        Description = "The ComfyUI server (default: $COMFYUI_URL, else http://127.0.0.1:8188); run and pool status take it more than once (a pool)",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "An API key for a proxy in front of ComfyUI (sent as Authorization: Bearer …). Other users can see a command line: "
            + "prefer $" + ApiKeySource.EnvironmentVariable + " or --api-key-file",
        HelpName = "key",
        Recursive = true,
    };

    public static readonly Option<FileInfo?> ApiKeyFile = new("--api-key-file")
    {
        Description = "Read the API key from this file (default: $" + ApiKeySource.EnvironmentVariable + ")",
        HelpName = "path",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Machine-readable output: one JSON object per line", Recursive = true };

    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces on errors", Recursive = true };

    /// <summary>Runs the command line and returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, cancellationToken);

    /// <summary>Runs the command line with the given environment variables (COMFYUI_URL, COMFYUI_API_KEY) and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var root = CreateRootCommand();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line per error, the hint on the last one.
            for (var i = 0; i < parsed.Errors.Count; i++)
            {
                stderr.WriteLine("error: " + parsed.Errors[i].Message + (i == parsed.Errors.Count - 1 ? " Run 'comfyui --help' for usage." : ""));
            }

            return ExitCodes.Usage;
        }

        if (parsed.Action is HelpAction)
        {
            return CliHelp.Write(parsed, stdout);
        }

        var output = new CliOutput(stdout, stderr, parsed.GetValue(Json), parsed.GetValue(Verbose));
        CurrentOutput.Value = output;
        CurrentEnvironment.Value = environment;
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

    /// <summary>The commands. Each command file adds its own; this list is the one place that registers them.</summary>
    internal static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("comfyui — drive a ComfyUI server: run workflows, watch events, manage the queue, history, models and files.")
        {
            Server,
            ApiKey,
            ApiKeyFile,
            Json,
            Verbose,
        };
        RunCommand.Add(root);
        ConvertCommand.Add(root);
        WatchCommand.Add(root);
        QueueCommands.Add(root);
        DiscoveryCommands.Add(root);
        FileCommands.Add(root);
        CodegenCommand.Add(root);
        ValidateCommand.Add(root);
        PoolCommands.Add(root);

        // `comfyui` alone: the help.
        root.SetAction((result, _) => Task.FromResult(CliHelp.Write(root.Parse(["--help"]), result.InvocationConfiguration.Output)));
        return root;
    }

    /// <summary>The output of the command being run (set before invocation, read by command actions).</summary>
    internal static readonly AsyncLocal<CliOutput> CurrentOutput = new();

    /// <summary>The environment variables of the command being run (the process's, or a test's).</summary>
    internal static readonly AsyncLocal<Func<string, string?>?> CurrentEnvironment = new();

    private static string? Env(string name) => (CurrentEnvironment.Value ?? Environment.GetEnvironmentVariable)(name);

    internal static CliOutput Output(ParseResult result) => CurrentOutput.Value ?? new CliOutput(Console.Out, Console.Error, result.GetValue(Json), result.GetValue(Verbose));

    /// <summary>The --server values given (none when the option is absent).</summary>
    internal static string[] Servers(ParseResult result) => result.GetValue(Server) ?? [];

    /// <summary>Whether --server was given.</summary>
    internal static bool HasServer(ParseResult result) => Servers(result).Length > 0;

    /// <summary>The addresses of the servers the command line names: each --server, else $COMFYUI_URL, else the local default.</summary>
    internal static Uri[] ServerAddresses(ParseResult result)
    {
        var given = Servers(result);
        if (given.Length == 0)
        {
            var fallback = Env("COMFYUI_URL");
            given = [string.IsNullOrWhiteSpace(fallback) ? "http://127.0.0.1:8188" : fallback];
        }

        return [.. given.Select(ParseAddress)];
    }

    /// <summary>The API key from --api-key, --api-key-file or $COMFYUI_API_KEY.</summary>
    internal static string? ResolveApiKey(ParseResult result) => ApiKeySource.Resolve(result.GetValue(ApiKey), result.GetValue(ApiKeyFile), Env);

    private static Uri ParseAddress(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"'{address}' is not an http(s) server address.");
        }

        return uri;
    }

    /// <summary>Creates the client for the server the command line names.</summary>
    internal static ComfyUIClient CreateClient(ParseResult result)
    {
        var addresses = ServerAddresses(result);
        if (addresses.Length > 1)
        {
            throw new CliUsageException($"'comfyui {result.CommandResult.Command.Name}' takes one --server (it was given {addresses.Length}); "
                + "only 'comfyui run' and 'comfyui pool status' take several.");
        }

        var uri = addresses[0];
        var apiKey = ResolveApiKey(result);
        var options = new ComfyUIClientOptions { BaseAddress = uri, ApiKey = apiKey };
        options.WebSocket.ConnectTimeout = TimeSpan.FromSeconds(10);
        return new ComfyUIClient(options);
    }

    /// <summary>One clear line per failure, mapped to an exit code; the stack trace only with --verbose.</summary>
    internal static int Fail(CliOutput output, Exception ex)
    {
        var (code, message) = ex switch
        {
            CliUsageException usage => (ExitCodes.Usage, usage.Message),
            ComfyUIPoolException pool => (ExitCodes.RunFailed, pool.Message),
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
