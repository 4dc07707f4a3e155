extern alias generators;

using System.CommandLine;
using System.Text;
using generators::ComfyUI.Client.Generators.CodeGen;

namespace ComfyUI.Client.Cli.Commands;

/// <summary>
/// <c>codegen</c>: typed node classes from a server's <c>/object_info</c> or a saved one. Calls the same generator core as the
/// ComfyUI.Client source generator, so for the same JSON and options both emit the same bytes.
/// </summary>
internal static class CodegenCommand
{
    public static void Add(RootCommand root)
    {
        var objectInfo = new Option<FileInfo?>("--object-info") { Description = "A saved /object_info JSON file (instead of asking the server)" };
        var outputFile = new Option<FileInfo?>("--output", "-o") { Description = "Write the C# file here (default: standard output)" };
        var ns = new Option<string?>("--namespace") { Description = $"The namespace of the generated types (default: {CodeGenOptions.DefaultNamespace})" };
        var only = new Option<string[]>("--only")
        {
            Description = "Only these node classes: class names (KSampler, Load*), module:<python_module>, category:<category>; comma-separated or repeated",
            AllowMultipleArgumentsPerToken = true,
        };
        var saveObjectInfo = new Option<FileInfo?>("--save-object-info") { Description = "Also save the server's /object_info here (for build-time generation from a *.object_info.json)" };
        var command = new Command("codegen", "Generate typed node classes (C#) from a server's /object_info or a saved one")
        {
            objectInfo, outputFile, ns, only, saveObjectInfo,
        };
        command.SetAction((result, ct) => RunAsync(result, result.GetValue(objectInfo), result.GetValue(outputFile), result.GetValue(ns),
            result.GetValue(only), result.GetValue(saveObjectInfo), ct));
        root.Add(command);
    }

    private static async Task<int> RunAsync(
        ParseResult result, FileInfo? objectInfo, FileInfo? outputFile, string? ns, string[]? only, FileInfo? saveObjectInfo, CancellationToken cancellationToken)
    {
        var output = CliApp.Output(result);
        try
        {
            if (objectInfo is not null && CliApp.HasServer(result))
            {
                throw new CliUsageException("give either --object-info FILE or --server URL, not both");
            }

            if (objectInfo is not null && saveObjectInfo is not null)
            {
                throw new CliUsageException("--save-object-info saves what the server sent: it needs --server, not --object-info");
            }

            string json;
            if (objectInfo is not null)
            {
                json = await File.ReadAllTextAsync(objectInfo.FullName, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await using var client = CliApp.CreateClient(result);
                json = await client.Discovery.GetObjectInfoJsonAsync(cancellationToken).ConfigureAwait(false);
                if (saveObjectInfo is not null)
                {
                    await File.WriteAllTextAsync(saveObjectInfo.FullName, json, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
                }
            }

            var generated = CodeGenerator.Generate(json, new CodeGenOptions(ns, only is null ? null : string.Join(",", only)));
            foreach (var message in generated.Messages)
            {
                output.Error.WriteLine(message.IsError ? "error: " + Where(objectInfo, message) + message.Text : "warning: " + message.Text);
            }

            if (generated.Source is null)
            {
                return ExitCodes.Usage;
            }

            if (outputFile is null)
            {
                await output.Out.WriteAsync(generated.Source).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (outputFile.Directory is { Exists: false } directory)
            {
                directory.Create();
            }

            await File.WriteAllTextAsync(outputFile.FullName, generated.Source, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            output.Object(w =>
            {
                w.WriteString("type", "codegen");
                w.WriteString("file", outputFile.FullName);
                w.WriteNumber("node_classes", generated.NodeCount);
                w.WriteNumber("types", generated.TypeCount);
            });
            output.Line($"wrote {generated.NodeCount} node classes and {generated.TypeCount} types to {outputFile.FullName}");
            return ExitCodes.Success;
        }
        catch (Exception ex)
        {
            return CliApp.Fail(output, ex);
        }
    }

    private static string Where(FileInfo? file, CodeGenMessage message) =>
        file is null ? "" : message.Line > 0 ? $"{file.Name}({message.Line},{message.Column}): " : file.Name + ": ";
}
