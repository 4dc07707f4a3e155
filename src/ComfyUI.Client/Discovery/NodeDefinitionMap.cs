using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>
/// The answer of <c>/object_info</c> as a read-only dictionary of typed definitions, read lazily: one validating pass over the body
/// indexes it by class name and keeps each class's JSON (small arrays, no large document); a <see cref="NodeDefinition"/> is built from
/// its JSON the first time it is asked for, then kept. Looking up a few of the hundreds of classes a server has costs about what
/// parsing the body costs. Thread-safe.
/// </summary>
internal sealed class NodeDefinitionMap : IReadOnlyDictionary<string, NodeDefinition>
{
    private readonly Dictionary<string, int> _index;
    private readonly string[] _names;
    private readonly byte[][] _json;
    private readonly NodeDefinition?[] _definitions;

    private NodeDefinitionMap(Dictionary<string, int> index, string[] names, byte[][] json)
    {
        _index = index;
        _names = names;
        _json = json;
        _definitions = new NodeDefinition?[names.Length];
    }

    /// <summary>Validates and indexes an <c>/object_info</c> body.</summary>
    /// <param name="utf8">The body (not kept).</param>
    /// <returns>The map, or <see langword="null"/> when the body is valid JSON but not an object.</returns>
    /// <exception cref="JsonException">The body is not valid JSON.</exception>
    public static NodeDefinitionMap? Create(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read())
        {
            throw new JsonException("The body is empty.");
        }

        var isObject = reader.TokenType == JsonTokenType.StartObject;
        var names = new List<string>();
        var json = new List<byte[]>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        if (isObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var value = utf8[start..(int)reader.BytesConsumed].ToArray();
                if (index.TryGetValue(name, out var existing))
                {
                    // A repeated key: the last one wins, as in a dictionary read.
                    json[existing] = value;
                    continue;
                }

                index[name] = names.Count;
                names.Add(name);
                json.Add(value);
            }
        }
        else
        {
            reader.Skip();
        }

        if (reader.Read())
        {
            throw new JsonException($"Unexpected data after the JSON value at byte {reader.TokenStartIndex}.");
        }

        return isObject ? new NodeDefinitionMap(index, [.. names], [.. json]) : null;
    }

    /// <inheritdoc />
    public int Count => _names.Length;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _names;

    /// <inheritdoc />
    public IEnumerable<NodeDefinition> Values
    {
        get
        {
            for (var i = 0; i < _names.Length; i++)
            {
                yield return Get(i);
            }
        }
    }

    /// <inheritdoc />
    public NodeDefinition this[string key] =>
        TryGetValue(key, out var definition) ? definition : throw new KeyNotFoundException($"The server has no node class '{key}'.");

    /// <inheritdoc />
    public bool ContainsKey(string key) => _index.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out NodeDefinition value)
    {
        if (_index.TryGetValue(key, out var i))
        {
            value = Get(i);
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, NodeDefinition>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++)
        {
            yield return new KeyValuePair<string, NodeDefinition>(_names[i], Get(i));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private NodeDefinition Get(int i)
    {
        // Two threads may build the same definition once each, and one of them is kept.
        var definition = Volatile.Read(ref _definitions[i]);
        if (definition is null)
        {
            var reader = new Utf8JsonReader(_json[i]);
            definition = NodeDefinitionReader.Parse(JsonElement.ParseValue(ref reader));
            definition = Interlocked.CompareExchange(ref _definitions[i], definition, null) ?? definition;
        }

        return definition;
    }
}
