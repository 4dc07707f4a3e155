using System.CommandLine;
using System.Text.RegularExpressions;
using ComfyUI.Client.Cli;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ComfyUI.Client.Tests.Cli;

/// <summary>The <c>comfyui</c> command's help, usage errors and API key sources (flag, file, environment).</summary>
public sealed partial class CliUsageTests : IDisposable
{
    private const string Key = "sk-cli-0123456789";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-cli-usage-" + Guid.NewGuid().ToString("N"));

    public CliUsageTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Task<CliResult> RunCli(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var variables = environment ?? new Dictionary<string, string>();
        return CliHarness.RunAsync(args, name => variables.GetValueOrDefault(name));
    }

    private static Task<CliResult> RunCli(params string[] args) => RunCli(null, args);

    [Fact]
    public async Task Help_lists_every_command_with_optional_arguments_in_brackets()
    {
        var help = await RunCli("--help");
        var bare = await RunCli();

        Assert.Equal(0, help.ExitCode);
        Assert.Equal(help.Out, bare.Out);                       // `comfyui` alone prints the help
        Assert.Equal(0, bare.ExitCode);
        foreach (var command in CliApp.CreateRootCommand().Subcommands)
        {
            Assert.Matches(@"(?m)^  " + Regex.Escape(command.Name) + @"\b", help.Out);
        }

        Assert.Matches(@"(?m)^  history \[<prompt-id>\]\s", help.Out);
        Assert.Matches(@"(?m)^  interrupt \[<prompt-id>\]\s", help.Out);
        Assert.Matches(@"(?m)^  nodes \[<class>\]\s", help.Out);
        Assert.Matches(@"(?m)^  models \[<folder>\]\s", help.Out);
        Assert.Matches(@"(?m)^  run <workflow>\s", help.Out);
        Assert.Matches(@"(?m)^  delete <prompt-id>\.\.\.\s", (await RunCli("queue", "--help")).Out);
        Assert.DoesNotContain("fake-server", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_names_the_api_key_environment_variable_and_file()
    {
        var help = await RunCli("stats", "--help");

        Assert.Contains("--api-key-file <path>", help.Out, StringComparison.Ordinal);
        Assert.Contains("$COMFYUI_API_KEY", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_help_line_states_a_default_twice()
    {
        foreach (var command in Commands(CliApp.CreateRootCommand()))
        {
            var help = await RunCli([.. command, "--help"]);

            Assert.Equal(0, help.ExitCode);
            Assert.All(help.Out.Split('\n'), line => Assert.True(DefaultMention().Count(line) <= 1, $"comfyui {string.Join(' ', command)} --help: {line}"));
        }
    }

    [Fact]
    public async Task An_unknown_command_is_one_error_line_and_exit_code_2()
    {
        var result = await RunCli("frobnicate");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("'frobnicate'", line, StringComparison.Ordinal);
        Assert.Contains("comfyui --help", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Every_command_the_readme_shows_is_a_command()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "README.md"), Ct);
        var section = readme[readme.IndexOf("## The `comfyui` command line", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```sh", StringComparison.Ordinal) + 5)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var names = CliApp.CreateRootCommand().Subcommands.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var shown = ReadmeCommand().Matches(block).Select(m => m.Groups["name"].Value).ToList();

        Assert.NotEmpty(shown);
        Assert.All(shown, name => Assert.Contains(name, names));
    }

    [Fact]
    public async Task The_api_key_comes_from_the_environment_the_file_or_the_flag()
    {
        using var server = StatsServer();
        var url = server.Url!;
        var keyFile = Path.Combine(_folder, "key.txt");
        await File.WriteAllTextAsync(keyFile, "  from-file-key\n", Ct);
        var environment = new Dictionary<string, string> { ["COMFYUI_API_KEY"] = Key };

        var fromEnvironment = await RunCli(environment, "stats", "--server", url);
        var fromFile = await RunCli(environment, "stats", "--server", url, "--api-key-file", keyFile);
        var fromFlag = await RunCli(environment, "stats", "--server", url, "--api-key", "from-flag");
        var none = await RunCli("stats", "--server", url);

        Assert.Equal([0, 0, 0, 0], new[] { fromEnvironment.ExitCode, fromFile.ExitCode, fromFlag.ExitCode, none.ExitCode });
        var authorizations = server.LogEntries.Select(e => e.RequestMessage!.Headers!.TryGetValue("Authorization", out var value) ? value.ToString() : null).ToList();
        Assert.Equal(["Bearer " + Key, "Bearer from-file-key", "Bearer from-flag", null], authorizations);
    }

    [Fact]
    public async Task A_missing_or_empty_key_file_or_two_key_options_are_usage_errors_that_name_the_problem()
    {
        var empty = Path.Combine(_folder, "empty.txt");
        await File.WriteAllTextAsync(empty, "\n", Ct);
        var absent = Path.Combine(_folder, "absent.txt");

        var missing = await RunCli("stats", "--server", "http://127.0.0.1:1/", "--api-key-file", absent);
        var blank = await RunCli("stats", "--server", "http://127.0.0.1:1/", "--api-key-file", empty);
        var both = await RunCli("stats", "--server", "http://127.0.0.1:1/", "--api-key-file", empty, "--api-key", "k");

        Assert.Equal([2, 2, 2], new[] { missing.ExitCode, blank.ExitCode, both.ExitCode });
        Assert.Contains(absent, Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("is empty", Assert.Single(blank.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("not both", Assert.Single(both.ErrorLines), StringComparison.Ordinal);
    }

    private static WireMockServer StatsServer()
    {
        var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/api/system_stats").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("api_system_stats.json")));
        return server;
    }

    /// <summary>The argument lists that reach each command (e.g. ["queue", "delete"]).</summary>
    private static IEnumerable<string[]> Commands(Command command, string[]? path = null)
    {
        path ??= [];
        yield return path;
        foreach (var sub in command.Subcommands)
        {
            foreach (var nested in Commands(sub, [.. path, sub.Name]))
            {
                yield return nested;
            }
        }
    }

    [GeneratedRegex(@"default", RegexOptions.IgnoreCase)]
    private static partial Regex DefaultMention();

    // "comfyui NAME" in the README, and the alternatives of a line such as "comfyui queue | queue clear | interrupt [<prompt-id>]".
    [GeneratedRegex(@"(?:^comfyui |\| )(?<name>[a-z][a-z-]*)", RegexOptions.Multiline)]
    private static partial Regex ReadmeCommand();
}
