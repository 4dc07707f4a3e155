using System.Collections.Immutable;
using ComfyUI.Client.Cli;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ComfyUI.Client.Tests.CodeGen;

/// <summary>
/// The source generator front end: it emits exactly what <c>comfyui codegen</c> emits, reads its MSBuild options, reports bad input as
/// diagnostics, and stays incremental.
/// </summary>
public sealed class GeneratorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-codegen-" + Guid.NewGuid().ToString("N"));

    public GeneratorTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CSharpCompilation EmptyCompilation() => CodeGenHarness.Compile("namespace User { internal static class Program { } }");

    private static (string? Source, ImmutableArray<Diagnostic> Diagnostics) RunGenerator(string path, string text, Dictionary<string, string>? global = null, Dictionary<string, string>? file = null)
    {
        var driver = CodeGenHarness.CreateDriver([new CodeGenHarness.InMemoryText(path, text)], global, file is null ? null : new() { [path] = file })
            .RunGenerators(EmptyCompilation(), Ct);
        var result = driver.GetRunResult().Results.Single();
        return (result.GeneratedSources.SingleOrDefault().SourceText?.ToString(), result.Diagnostics);
    }

    private static async Task<(int Code, string Out, string Error)> Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task The_generator_and_the_CLI_emit_the_same_bytes_for_the_real_object_info()
    {
        var (generated, diagnostics) = RunGenerator("server.object_info.json", CodeGenHarness.RealObjectInfo, new() { ["build_property.ComfyUINodesNamespace"] = "MyApp.Comfy" });
        var file = Path.Combine(_folder, "Nodes.g.cs");
        var cli = await Cli("codegen", "--object-info", CodeGenHarness.RealObjectInfoPath, "--namespace", "MyApp.Comfy", "-o", file);

        Assert.Empty(diagnostics);
        Assert.Equal(0, cli.Code);
        Assert.Equal(generated, await File.ReadAllTextAsync(file, Ct));
        Assert.Contains("wrote 861 node classes and", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_and_namespace_given_as_item_metadata_match_the_CLI_options()
    {
        var (generated, _) = RunGenerator("/p/comfy.object_info.json", CodeGenHarness.RealObjectInfo,
            global: new() { ["build_property.RootNamespace"] = "Ignored" },
            file: new()
            {
                ["build_metadata.AdditionalFiles.ComfyUINodesNamespace"] = "Filtered.Nodes",
                ["build_metadata.AdditionalFiles.ComfyUINodesOnly"] = "KSampler;module:comfy_extras.nodes_images category:model/loaders",
            });
        var cli = await Cli("codegen", "--object-info", CodeGenHarness.RealObjectInfoPath, "--namespace", "Filtered.Nodes", "--only", "KSampler,module:comfy_extras.nodes_images", "--only", "category:model/loaders");

        Assert.Equal(0, cli.Code);
        Assert.Equal(generated, cli.Out);
        Assert.Contains("namespace Filtered.Nodes", generated, StringComparison.Ordinal);
        Assert.Contains("class CheckpointLoaderSimple ", generated, StringComparison.Ordinal);
        Assert.Contains("class SaveAnimatedWEBP ", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("class EmptyImage ", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void The_namespace_defaults_to_the_root_namespace_dot_Comfy_and_only_object_info_files_are_read()
    {
        var driver = CodeGenHarness.CreateDriver(
                [new CodeGenHarness.InMemoryText("a.object_info.json", Fixture.Http("object_info_EmptyImage.json")), new CodeGenHarness.InMemoryText("other.json", "{}")],
                new() { ["build_property.RootNamespace"] = "MyApp" })
            .RunGenerators(EmptyCompilation(), Ct);

        var source = Assert.Single(driver.GetRunResult().GeneratedTrees);
        Assert.EndsWith("a_object_info.ComfyNodes.g.cs", source.FilePath, StringComparison.Ordinal);
        Assert.Contains("namespace MyApp.Comfy", source.ToString(), StringComparison.Ordinal);
        Assert.Contains("public sealed partial class EmptyImage ", source.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"EmptyImage\": ", null, "COMFYUI101", DiagnosticSeverity.Error, "bad.object_info.json: ")]
    [InlineData("[1, 2]", null, "COMFYUI101", DiagnosticSeverity.Error, "bad.object_info.json: ")]
    [InlineData("{}", "kind:nothing", "COMFYUI102", DiagnosticSeverity.Error, "Unknown filter 'kind:nothing'")]
    [InlineData("{}", "KSamplr", "COMFYUI104", DiagnosticSeverity.Warning, "The filter entry 'KSamplr' matches no node class")]
    public void Bad_input_is_a_diagnostic_that_names_the_file_and_the_problem(string json, string? only, string id, DiagnosticSeverity severity, string text)
    {
        var (_, diagnostics) = RunGenerator("bad.object_info.json", json, only is null ? null : new() { ["build_property.ComfyUINodesOnly"] = only });

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((id, severity), (diagnostic.Id, diagnostic.Severity));
        Assert.Contains(text, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("bad.object_info.json", diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void An_unrelated_edit_does_not_read_or_generate_again_but_an_edit_of_the_file_does()
    {
        var text = Fixture.Http("object_info_EmptyImage.json");
        var file = new CodeGenHarness.InMemoryText("n.object_info.json", text);
        var compilation = EmptyCompilation();
        var driver = CodeGenHarness.CreateDriver([file], new() { ["build_property.RootNamespace"] = "App" })
            .RunGenerators(compilation, Ct);

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", CodeGenHarness.ParseOptions, cancellationToken: Ct)), Ct);
        var rerun = driver.GetRunResult().Results.Single();

        Assert.All(rerun.TrackedSteps[CodeGenHarness.TrackingFiles].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(rerun.TrackedSteps[CodeGenHarness.TrackingGenerated].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(rerun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        driver = driver.ReplaceAdditionalText(file, new CodeGenHarness.InMemoryText("n.object_info.json", text.Replace("EmptyImage", "EmptyPicture", StringComparison.Ordinal)))
            .RunGenerators(compilation, Ct);
        var edited = driver.GetRunResult().Results.Single();
        Assert.Contains(edited.TrackedSteps[CodeGenHarness.TrackingGenerated].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("class EmptyPicture ", edited.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CLI_refuses_two_sources_and_reports_unreadable_files_as_usage_errors()
    {
        var both = await Cli("codegen", "--object-info", CodeGenHarness.RealObjectInfoPath, "--server", "http://127.0.0.1:1");
        var bad = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"x\": [", Ct);
        var unreadable = await Cli("codegen", "--object-info", bad);

        Assert.Equal((2, "error: give either --object-info FILE or --server URL, not both"), (both.Code, both.Error.Trim()));
        Assert.Equal(2, unreadable.Code);
        Assert.StartsWith("error: bad.json: ", unreadable.Error, StringComparison.Ordinal);
        Assert.Empty(unreadable.Out);
    }
}
