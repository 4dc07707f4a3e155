using System;
using System.Collections.Immutable;
using System.Linq;
using System.IO;
using System.Threading;
using ComfyUI.Client.Generators.CodeGen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ComfyUI.Client.Generators;

/// <summary>
/// Generates typed node classes from every <c>AdditionalFiles</c> item named <c>*.object_info.json</c> (or <c>object_info.json</c>).
/// MSBuild properties (or the same metadata on one <c>AdditionalFiles</c> item): <c>ComfyUINodesNamespace</c> (default
/// <c>$(RootNamespace).Comfy</c>) and <c>ComfyUINodesOnly</c> (a filter: class names, <c>module:…</c>, <c>category:…</c>).
/// Incremental: the file is read and the code generated again only when the file or these options change.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class TypedNodesGenerator : IIncrementalGenerator
{
    /// <summary>The MSBuild property (and item metadata) that sets the namespace.</summary>
    public const string NamespaceOption = "ComfyUINodesNamespace";

    /// <summary>The MSBuild property (and item metadata) that filters the classes.</summary>
    public const string OnlyOption = "ComfyUINodesOnly";

    private static readonly DiagnosticDescriptor InvalidJson = new(
        CodeGenMessage.InvalidJson, "The object_info file cannot be read", "{0}", "ComfyUI.Client", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor InvalidFilter = new(
        CodeGenMessage.InvalidFilter, "The ComfyUINodesOnly filter is not valid", "{0}", "ComfyUI.Client", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor InvalidNamespace = new(
        CodeGenMessage.InvalidNamespace, "The ComfyUINodesNamespace is not a namespace", "{0}", "ComfyUI.Client", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor FilterMatchesNothing = new(
        CodeGenMessage.FilterMatchesNothing, "A ComfyUINodesOnly entry matches no node class", "{0}", "ComfyUI.Client", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static file => IsObjectInfoFile(file.Path))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => ReadFile(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Files);

        var generated = files
            .Select(static (file, _) => GeneratedFile.From(file))
            .WithTrackingName(TrackingNames.Generated);

        context.RegisterSourceOutput(generated, static (context, file) =>
        {
            foreach (var message in file.Messages)
            {
                context.ReportDiagnostic(ToDiagnostic(message, file.Path));
            }

            if (file.Source is not null)
            {
                context.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
            }
        });
    }

    /// <summary>Whether a path names an <c>/object_info</c> file: <c>*.object_info.json</c> or <c>object_info.json</c>.</summary>
    public static bool IsObjectInfoFile(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".object_info.json", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "object_info.json", StringComparison.OrdinalIgnoreCase);
    }

    private static ObjectInfoFile ReadFile(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        var fileOptions = options.GetOptions(file);
        var global = options.GlobalOptions;
        var @namespace = Option(fileOptions, "build_metadata.AdditionalFiles." + NamespaceOption)
            ?? Option(global, "build_property." + NamespaceOption)
            ?? (Option(global, "build_property.RootNamespace") is { } root ? root + ".Comfy" : null);
        var only = Option(fileOptions, "build_metadata.AdditionalFiles." + OnlyOption) ?? Option(global, "build_property." + OnlyOption);
        var text = file.GetText(cancellationToken)?.ToString();
        return new ObjectInfoFile(file.Path, text, new CodeGenOptions(@namespace, only));
    }

    private static string? Option(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static Diagnostic ToDiagnostic(CodeGenMessage message, string path)
    {
        var descriptor = message.Id switch
        {
            CodeGenMessage.InvalidFilter => InvalidFilter,
            CodeGenMessage.InvalidNamespace => InvalidNamespace,
            CodeGenMessage.FilterMatchesNothing => FilterMatchesNothing,
            _ => InvalidJson,
        };
        var position = message.Line > 0 ? new LinePosition(message.Line - 1, Math.Max(0, message.Column - 1)) : default;
        var location = Location.Create(path, default, new LinePositionSpan(position, position));
        return Diagnostic.Create(descriptor, location, Path.GetFileName(path) + ": " + message.Text);
    }

    /// <summary>The names of the pipeline steps, for tests that check what was cached.</summary>
    public static class TrackingNames
    {
        /// <summary>Reading an object_info file and its options.</summary>
        public const string Files = "ObjectInfoFiles";

        /// <summary>Generating the code of one file.</summary>
        public const string Generated = "GeneratedCode";
    }

    /// <summary>An object_info file with its options: compared by value, so an unchanged file is not generated again.</summary>
    private sealed class ObjectInfoFile : IEquatable<ObjectInfoFile>
    {
        public ObjectInfoFile(string path, string? text, CodeGenOptions options)
        {
            Path = path;
            Text = text;
            Options = options;
        }

        public string Path { get; }

        public string? Text { get; }

        public CodeGenOptions Options { get; }

        public bool Equals(ObjectInfoFile? other) =>
            other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal) && string.Equals(Text, other.Text, StringComparison.Ordinal)
            && Options.Equals(other.Options);

        public override bool Equals(object? obj) => Equals(obj as ObjectInfoFile);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Path) ^ (Text?.Length ?? 0);
    }

    /// <summary>The outcome for one file, compared by value.</summary>
    private sealed class GeneratedFile : IEquatable<GeneratedFile>
    {
        private GeneratedFile(string path, string hintName, string? source, ImmutableArray<CodeGenMessage> messages)
        {
            Path = path;
            HintName = hintName;
            Source = source;
            Messages = messages;
        }

        public string Path { get; }

        public string HintName { get; }

        public string? Source { get; }

        public ImmutableArray<CodeGenMessage> Messages { get; }

        public static GeneratedFile From(ObjectInfoFile file)
        {
            var name = System.IO.Path.GetFileName(file.Path);
            var stem = name.Substring(0, name.Length - ".json".Length);
            var hintName = stem.Replace('.', '_') + ".ComfyNodes.g.cs";
            if (file.Text is null)
            {
                return new GeneratedFile(file.Path, hintName, null, ImmutableArray.Create(CodeGenMessage.Error(CodeGenMessage.InvalidJson, "The file could not be read.")));
            }

            var result = CodeGenerator.Generate(file.Text, file.Options);
            return new GeneratedFile(file.Path, hintName, result.Source, result.Messages.ToImmutableArray());
        }

        public bool Equals(GeneratedFile? other) =>
            other is not null && Path == other.Path && HintName == other.HintName && Source == other.Source && Messages.SequenceEqual(other.Messages);

        public override bool Equals(object? obj) => Equals(obj as GeneratedFile);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(HintName) ^ (Source?.Length ?? 0);
    }
}
