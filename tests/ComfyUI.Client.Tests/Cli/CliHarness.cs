using System.Text.Json;
using ComfyUI.Client.Cli;

namespace ComfyUI.Client.Tests.Cli;

/// <summary>What one in-process run of the <c>comfyui</c> command printed, and its exit code.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Each line of standard output as JSON (the <c>--json</c> output).</summary>
    public JsonElement[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();

    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the <c>comfyui</c> command in-process, as the CLI tests all do.</summary>
internal static class CliHarness
{
    /// <summary>
    /// Runs the command line with <paramref name="environment"/> as its environment variables (the process's own when <see langword="null"/>),
    /// cancelled by <paramref name="cancellationToken"/> (Ctrl+C), within <paramref name="deadline"/> (the tests' deadline by default).
    /// </summary>
    public static async Task<CliResult> RunAsync(
        string[] args,
        Func<string, string?>? environment = null,
        TimeSpan? deadline = null,
        CancellationToken cancellationToken = default)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var test = TestContext.Current.CancellationToken;
        var code = await CliApp.RunAsync(args, stdout, stderr, environment ?? Environment.GetEnvironmentVariable, cancellationToken.CanBeCanceled ? cancellationToken : test)
            .WaitAsync(deadline ?? Waits.Deadline, test);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
