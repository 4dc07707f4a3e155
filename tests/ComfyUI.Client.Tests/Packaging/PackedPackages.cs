using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Tests.Packaging;

/// <summary>
/// Packs every project under src/ once (Release, as <c>dotnet pack</c> does for a release) into a temporary folder, with its own
/// build folders (<c>--artifacts-path</c>), so it never touches the tree the other tests were built from.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    private static readonly TimeSpan PackDeadline = TimeSpan.FromMinutes(15);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "comfyui-pack-" + Guid.NewGuid().ToString("N"));

    /// <summary>The folder holding the .nupkg and .snupkg files.</summary>
    public string Output => Path.Combine(_root, "packages");

    /// <summary>The output of <c>dotnet pack</c> (for failure messages).</summary>
    public string Log { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var projects = Directory.GetDirectories(Path.Combine(Repository.Root, "src"))
            .SelectMany(dir => Directory.GetFiles(dir, "*.csproj"))
            .Select(path => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var filter = Path.Combine(_root, "packages.slnf");
        var solution = new JsonObject
        {
            ["path"] = Path.Combine(Repository.Root, "ComfyUI.Client.sln"),
            ["projects"] = new JsonArray([.. projects.Select(p => JsonValue.Create(p))]),
        };
        await File.WriteAllTextAsync(filter, new JsonObject { ["solution"] = solution }.ToJsonString());

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        foreach (var argument in new[]
        {
            "pack", filter, "-c", "Release", "-o", Output, "--artifacts-path", Path.Combine(_root, "artifacts"),
            "--disable-build-servers", "-nodeReuse:false", "-p:ContinuousIntegrationBuild=true",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under `dotnet test`: its MSBuild variables would steer the child build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBuild", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        var log = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(PackDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet pack did not finish within {PackDeadline}.");
        }

        // The streams close with the process (no build servers are left holding them); a deadline all the same.
        log.Append(await stdout.WaitAsync(TimeSpan.FromMinutes(1))).Append(await stderr.WaitAsync(TimeSpan.FromMinutes(1)));
        Log = log.ToString();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed with exit code {process.ExitCode}:\n{Log}");
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Opens the package <c>{id}.{version}.nupkg</c> (or .snupkg).</summary>
    public ZipArchive Open(string id, string extension = ".nupkg")
    {
        var file = Assert.Single(Directory.GetFiles(Output, id + ".*" + extension), f => IsPackage(Path.GetFileName(f), id, extension));
        return ZipFile.OpenRead(file);
    }

    /// <summary>The ids of the packages that were made.</summary>
    public IReadOnlyList<string> Ids => [.. Directory.GetFiles(Output, "*.nupkg").Select(f => PackageId(Path.GetFileName(f))).Order(StringComparer.Ordinal)];

    private static bool IsPackage(string fileName, string id, string extension) =>
        fileName.EndsWith(extension, StringComparison.Ordinal) && PackageId(fileName[..^extension.Length] + ".nupkg") == id;

    /// <summary>"ComfyUI.Client.Cli.0.1.0.nupkg" → "ComfyUI.Client.Cli" (the version starts at the first part that is a number).</summary>
    private static string PackageId(string fileName)
    {
        var parts = fileName[..^".nupkg".Length].Split('.');
        return string.Join('.', parts.TakeWhile(p => !int.TryParse(p, out _)));
    }
}
