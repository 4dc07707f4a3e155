extern alias generators;

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using CodeGenerator = generators::ComfyUI.Client.Generators.CodeGen.CodeGenerator;
using CodeGenOptions = generators::ComfyUI.Client.Generators.CodeGen.CodeGenOptions;
using TypedNodesGenerator = generators::ComfyUI.Client.Generators.TypedNodesGenerator;

namespace ComfyUI.Client.Tests.CodeGen;

/// <summary>Runs the generator core, the source generator (through Roslyn's driver) and the C# compiler in-process.</summary>
internal static class CodeGenHarness
{
    /// <summary>What a net8.0 project compiles with by default (C# 12), documentation comments checked.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Workflow).Assembly.Location)
            .Distinct();
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public static string RealObjectInfo => Fixture.Http("object_info.json");

    public static string RealObjectInfoPath => Path.Combine(Fixture.Directory, "http", "object_info.json");

    public static string RulesPath => Path.Combine(Fixture.Directory, "CodeGen", "rules.object_info.json");

    /// <summary>The core's output; fails the test on an error.</summary>
    public static string Generate(string json, string ns, string? only = null)
    {
        var result = CodeGenerator.Generate(json, new CodeGenOptions(ns, only));
        Assert.True(result.Source is not null, string.Join("\n", result.Messages));
        return result.Source!;
    }

    /// <summary>A compilation as a user's project with nullable and every warning on; nothing is emitted.</summary>
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "TypedNodesUser",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

    /// <summary>The warnings and errors (what fails a build with warnings as errors).</summary>
    public static List<Diagnostic> Problems(Compilation compilation) =>
        [.. compilation.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, Dictionary<string, string>? globalOptions = null, Dictionary<string, Dictionary<string, string>>? fileOptions = null) =>
        CSharpGeneratorDriver.Create(
            [new TypedNodesGenerator().AsSourceGenerator()],
            files,
            ParseOptions,
            new OptionsProvider(globalOptions ?? [], fileOptions ?? []),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static string TrackingFiles => TypedNodesGenerator.TrackingNames.Files;

    public static string TrackingGenerated => TypedNodesGenerator.TrackingNames.Generated;

    internal sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class OptionsProvider(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>> perFile) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(perFile.TryGetValue(textFile.Path, out var options) ? options : []);
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
