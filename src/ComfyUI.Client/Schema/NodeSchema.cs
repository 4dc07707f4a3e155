using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

// Kept free of newer-only APIs (ArgumentNullException.ThrowIfNull, …): the source generator links the schema files into netstandard2.0.
#pragma warning disable CA1510

namespace ComfyUI.Client;

/// <summary>
/// The node classes of one server, from its <c>/object_info</c>: per class the inputs in order, widgets versus sockets, options, dynamic
/// inputs and outputs (<see cref="NodeClassSchema"/>). The one model that UI-workflow conversion, prompt validation and typed nodes share.
/// Each class's schema is built the first time it is asked for, then kept. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// NodeSchema schema = await client.Discovery.GetNodeSchemaAsync(cancellationToken);       // or NodeSchema.LoadAsync("object_info.json")
/// NodeClassSchema ksampler = schema.Find("KSampler")!;
/// foreach (NodeInputSchema input in ksampler.Inputs)
///     Console.WriteLine($"{input.Name}: {input.Type} {(input.IsWidget ? "widget" : "socket")}");
/// </code>
/// </example>
public sealed partial class NodeSchema
{
    private readonly IReadOnlyDictionary<string, NodeDefinition> _definitions;
    private readonly ConcurrentDictionary<string, NodeClassSchema> _classes = new(StringComparer.Ordinal);

    private NodeSchema(IReadOnlyDictionary<string, NodeDefinition> definitions) => _definitions = definitions;

    /// <summary>The definitions the schema is built on (class name → definition, in the server's order).</summary>
    public IReadOnlyDictionary<string, NodeDefinition> Definitions => _definitions;

    /// <summary>The number of node classes.</summary>
    public int Count => _definitions.Count;

    /// <summary>The class names, in the server's order.</summary>
    public IEnumerable<string> ClassTypes => _definitions.Keys;

    /// <summary>Every class's schema, in the server's order (each built on first use).</summary>
    public IEnumerable<NodeClassSchema> Classes
    {
        get
        {
            foreach (var name in _definitions.Keys)
            {
                yield return Find(name)!;
            }
        }
    }

    /// <summary>A schema over definitions already read, for example those of <see cref="DiscoveryClient.GetObjectInfoAsync"/>.</summary>
    /// <param name="definitions">Class name → definition.</param>
    /// <returns>The schema.</returns>
    public static NodeSchema FromObjectInfo(IReadOnlyDictionary<string, NodeDefinition> definitions) =>
        new(definitions ?? throw new ArgumentNullException(nameof(definitions)));

    /// <summary>Reads a saved <c>/object_info</c> answer (UTF-8 JSON).</summary>
    /// <param name="utf8Json">The JSON bytes.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="FormatException">The text is not JSON, or not an object of node definitions.</exception>
    public static NodeSchema Parse(ReadOnlySpan<byte> utf8Json)
    {
        // A byte order mark is tolerated, as editors and PowerShell write one.
        if (utf8Json.Length >= 3 && utf8Json[0] == 0xEF && utf8Json[1] == 0xBB && utf8Json[2] == 0xBF)
        {
            utf8Json = utf8Json.Slice(3);
        }

        NodeDefinitionMap? map;
        try
        {
            map = NodeDefinitionMap.Create(utf8Json);
        }
        catch (JsonException ex)
        {
            // Servers write float('nan') and float('inf') as bare NaN / Infinity, which JSON does not allow: read them as strings.
            byte[]? quoted = null;
            QuotePythonLiterals(utf8Json, ref quoted);
            map = quoted is null ? null : TryCreate(quoted);
            if (map is null)
            {
                throw new FormatException($"The node definitions are not valid JSON: {ex.Message} Save the server's GET /object_info answer as it is.", ex);
            }
        }

        return map is null
            ? throw new FormatException("The node definitions must be a JSON object (class name → definition), as GET /object_info answers.")
            : new NodeSchema(map);
    }

    private static NodeDefinitionMap? TryCreate(byte[] utf8Json)
    {
        try
        {
            return NodeDefinitionMap.Create(utf8Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a saved <c>/object_info</c> answer.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="FormatException">The text is not JSON, or not an object of node definitions.</exception>
    public static NodeSchema Parse(string json) => Parse(Encoding.UTF8.GetBytes(json ?? throw new ArgumentNullException(nameof(json))));

    /// <summary>Reads a saved <c>/object_info</c> answer from a file (for example one saved with <c>curl http://127.0.0.1:8188/object_info</c>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="FormatException">The file is not an <c>/object_info</c> answer; the message names the file.</exception>
    public static async Task<NodeSchema> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A path is required.", nameof(path));
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        using (stream)
        {
            try
            {
                return await LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{path}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Reads a saved <c>/object_info</c> answer from a stream, to its end. The stream is not closed.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The schema.</returns>
    /// <exception cref="FormatException">The content is not an <c>/object_info</c> answer.</exception>
    public static async Task<NodeSchema> LoadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        if (stream is null)
        {
            throw new ArgumentNullException(nameof(stream));
        }

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, 81920, cancellationToken).ConfigureAwait(false);
        return Parse(new ReadOnlySpan<byte>(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>Quotes bare Python literals (NaN, Infinity, -Infinity) outside strings; left out where that code is not compiled in.</summary>
    static partial void QuotePythonLiterals(ReadOnlySpan<byte> utf8Json, ref byte[]? quoted);

    /// <summary>The schema of a class, or <see langword="null"/> when the server has no such class.</summary>
    /// <param name="classType">The class name (exact, case-sensitive), for example <c>KSampler</c>.</param>
    /// <returns>The class schema, or <see langword="null"/>.</returns>
    public NodeClassSchema? Find(string classType)
    {
        if (classType is null)
        {
            throw new ArgumentNullException(nameof(classType));
        }

        if (_classes.TryGetValue(classType, out var found))
        {
            return found;
        }

        if (!_definitions.TryGetValue(classType, out var definition))
        {
            return null;
        }

        return _classes.GetOrAdd(classType, NodeClassSchemaBuilder.Build(classType, definition));
    }

    /// <summary>Whether the server has this class.</summary>
    /// <param name="classType">The class name (exact, case-sensitive).</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    public bool Contains(string classType) =>
        _definitions.ContainsKey(classType ?? throw new ArgumentNullException(nameof(classType)));
}
