namespace ComfyUI.Client.Testing.Execution;

/// <summary>The server's folders (input, output, temp, user) in a temporary directory.</summary>
internal sealed class FileStore : IDisposable
{
    public FileStore()
    {
        Root = Path.Combine(Path.GetTempPath(), "fake-comfyui-" + Guid.NewGuid().ToString("N"));
        foreach (var d in new[] { "input", "output", "temp", "user" })
        {
            Directory.CreateDirectory(Path.Combine(Root, d));
        }

        Directory.CreateDirectory(Path.Combine(Root, "user", "default"));
    }

    public string Root { get; }

    public string Input => Path.Combine(Root, "input");

    public string Output => Path.Combine(Root, "output");

    public string Temp => Path.Combine(Root, "temp");

    public string UserRoot => Path.Combine(Root, "user", "default");

    public string? TypeDirectory(string type) => type switch
    {
        "input" => Input,
        "output" => Output,
        "temp" => Temp,
        _ => null,
    };

    /// <summary>Combines and checks that the result stays under <paramref name="baseDir"/>.</summary>
    public static string? SafeCombine(string baseDir, params string[] parts)
    {
        var full = Path.GetFullPath(Path.Combine([baseDir, .. parts.Where(p => !string.IsNullOrEmpty(p))]));
        var root = Path.GetFullPath(baseDir);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    public IReadOnlyList<string> InputFiles()
    {
        return [.. Directory.EnumerateFiles(Input, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Input, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Resolves an annotated name ("a.png [output]") or "sub/a.png" to a file path.</summary>
    public string? ResolveAnnotated(string name, string defaultType)
    {
        var type = defaultType;
        foreach (var t in new[] { "input", "output", "temp" })
        {
            var suffix = $" [{t}]";
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                type = t;
            }
        }

        return SafeCombine(TypeDirectory(type)!, name);
    }

    /// <summary>Next counter for "prefix_00001_.png" files in a folder, like ComfyUI's get_save_image_path.</summary>
    public static int NextCounter(string directory, string prefix)
    {
        var max = 0;
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, prefix + "_*"))
            {
                var name = Path.GetFileName(file)[(prefix.Length + 1)..];
                var end = name.IndexOf('_', StringComparison.Ordinal);
                if (end > 0 && int.TryParse(name.AsSpan(0, end), out var n))
                {
                    max = Math.Max(max, n);
                }
            }
        }

        return max + 1;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
