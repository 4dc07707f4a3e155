using System.CommandLine;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>nodes</c>, <c>models</c>, <c>stats</c>.</summary>
internal static class DiscoveryCommands
{
    public static void Add(RootCommand root)
    {
        var nodeClass = new Argument<string?>("class") { Arity = ArgumentArity.ZeroOrOne, Description = "One node class, with its inputs" };
        var nodes = new Command("nodes", "List the node classes, or show one with its inputs") { nodeClass };
        nodes.SetAction((result, ct) => QueueCommands.Execute(result, async (client, output) =>
        {
            if (result.GetValue(nodeClass) is { } name)
            {
                var definition = await client.Discovery.GetNodeDefinitionAsync(name, ct).ConfigureAwait(false);
                if (definition is null)
                {
                    output.Fail($"the server has no node class '{name}'");
                    return ExitCodes.RunFailed;
                }

                Node(output, definition, withInputs: true);
                return ExitCodes.Success;
            }

            foreach (var definition in (await client.Discovery.GetObjectInfoAsync(ct).ConfigureAwait(false)).Values.OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                Node(output, definition, withInputs: false);
            }

            return ExitCodes.Success;
        }, ct));
        root.Add(nodes);

        var folder = new Argument<string?>("folder") { Arity = ArgumentArity.ZeroOrOne, Description = "A model folder, e.g. checkpoints" };
        var models = new Command("models", "List the model folders, or the models of one folder") { folder };
        models.SetAction((result, ct) => QueueCommands.Execute(result, async (client, output) =>
        {
            if (result.GetValue(folder) is { } name)
            {
                var files = await client.Discovery.GetModelsAsync(name, ct).ConfigureAwait(false);
                if (files is null)
                {
                    output.Fail($"the server has no model folder '{name}'");
                    return ExitCodes.RunFailed;
                }

                foreach (var file in files)
                {
                    output.Object(w =>
                    {
                        w.WriteString("type", "model");
                        w.WriteString("folder", name);
                        w.WriteString("name", file);
                    });
                    output.Line(file);
                }

                return ExitCodes.Success;
            }

            foreach (var name2 in await client.Discovery.GetModelFoldersAsync(ct).ConfigureAwait(false))
            {
                output.Object(w =>
                {
                    w.WriteString("type", "model_folder");
                    w.WriteString("name", name2);
                });
                output.Line(name2);
            }

            return ExitCodes.Success;
        }, ct));
        root.Add(models);

        var stats = new Command("stats", "Show the server's system stats (version, memory, devices)");
        stats.SetAction((result, ct) => QueueCommands.Execute(result, async (client, output) =>
        {
            var s = await client.Discovery.GetSystemStatsAsync(ct).ConfigureAwait(false);
            output.Object(w =>
            {
                w.WriteString("type", "system_stats");
                w.WriteString("comfyui_version", s.System.ComfyuiVersion);
                w.WriteString("os", s.System.Os);
                w.WriteString("python_version", s.System.PythonVersion);
                w.WriteString("pytorch_version", s.System.PytorchVersion);
                WriteLong(w, "ram_total", s.System.RamTotal);
                WriteLong(w, "ram_free", s.System.RamFree);
                w.WriteStartArray("devices");
                foreach (var device in s.Devices)
                {
                    w.WriteStartObject();
                    w.WriteString("name", device.Name);
                    w.WriteString("type", device.Type);
                    WriteLong(w, "vram_total", device.VramTotal);
                    WriteLong(w, "vram_free", device.VramFree);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            output.Line($"ComfyUI {s.System.ComfyuiVersion} on {s.System.Os}, Python {s.System.PythonVersion?.Split(' ')[0]}, PyTorch {s.System.PytorchVersion}");
            output.Line($"RAM {Gb(s.System.RamFree)} free of {Gb(s.System.RamTotal)}");
            foreach (var device in s.Devices)
            {
                output.Line($"device {device.Name} ({device.Type}): VRAM {Gb(device.VramFree)} free of {Gb(device.VramTotal)}");
            }

            return ExitCodes.Success;
        }, ct));
        root.Add(stats);
    }

    private static string Gb(long? bytes) => bytes is { } b ? $"{b / 1e9:0.0} GB" : "?";

    private static void WriteLong(System.Text.Json.Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Node(CliOutput output, NodeDefinition definition, bool withInputs)
    {
        output.Object(w =>
        {
            w.WriteString("type", "node");
            w.WriteString("class", definition.Name);
            w.WriteString("display_name", definition.DisplayName);
            w.WriteString("category", definition.Category);
            w.WriteBoolean("output_node", definition.OutputNode);
            if (withInputs)
            {
                w.WriteStartObject("inputs");
                foreach (var (name, spec) in definition.RequiredInputs.Concat(definition.OptionalInputs))
                {
                    w.WriteStartObject(name);
                    w.WriteString("type", spec.Type);
                    w.WriteString("kind", spec.Kind.ToString().ToLowerInvariant());
                    w.WriteBoolean("required", definition.RequiredInputs.ContainsKey(name));
                    if (spec.Default is { } value)
                    {
                        w.WritePropertyName("default");
                        value.WriteTo(w);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }
        });
        output.Line($"{definition.Name}  ({definition.DisplayName}, {definition.Category}){(definition.OutputNode ? " [output]" : "")}");
        if (withInputs && !output.Json)
        {
            foreach (var (name, spec) in definition.RequiredInputs)
            {
                output.Line($"  {name}: {spec.Type}{(spec.Default is { } d ? " = " + d.GetRawText() : "")}");
            }

            foreach (var (name, spec) in definition.OptionalInputs)
            {
                output.Line($"  {name}?: {spec.Type}{(spec.Default is { } d ? " = " + d.GetRawText() : "")}");
            }
        }
    }
}
