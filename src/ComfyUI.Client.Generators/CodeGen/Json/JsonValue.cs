using System.Collections.Generic;

namespace ComfyUI.Client.Generators.CodeGen.Json;

/// <summary>The kind of a <see cref="JsonValue"/>.</summary>
internal enum JsonKind
{
    Null,
    False,
    True,
    Number,
    String,
    Array,
    Object,
}

/// <summary>
/// A read-only JSON value as the generator needs it: objects keep their member order (it is the input order of a node), numbers keep
/// their text (a seed's maximum 18446744073709551615 and a step of 0.01 are written back exactly as the server sent them).
/// </summary>
internal sealed class JsonValue
{
    public static readonly JsonValue Null = new(JsonKind.Null, null, null, null);

    private static readonly List<KeyValuePair<string, JsonValue>> NoMembers = new();
    private static readonly List<JsonValue> NoItems = new();

    private readonly string? _text;
    private readonly List<KeyValuePair<string, JsonValue>>? _members;
    private readonly List<JsonValue>? _items;

    private JsonValue(JsonKind kind, string? text, List<KeyValuePair<string, JsonValue>>? members, List<JsonValue>? items)
    {
        Kind = kind;
        _text = text;
        _members = members;
        _items = items;
    }

    public JsonKind Kind { get; }

    /// <summary>A string's value, or a number's text (<c>NaN</c> and <c>Infinity</c> included, as Python writes them).</summary>
    public string Text => _text ?? "";

    public IReadOnlyList<KeyValuePair<string, JsonValue>> Members => _members ?? NoMembers;

    public IReadOnlyList<JsonValue> Items => _items ?? NoItems;

    public bool IsString => Kind == JsonKind.String;

    public bool IsTrue => Kind == JsonKind.True;

    public static JsonValue String(string value) => new(JsonKind.String, value, null, null);

    public static JsonValue Number(string text) => new(JsonKind.Number, text, null, null);

    public static JsonValue Bool(bool value) => value ? new(JsonKind.True, null, null, null) : new(JsonKind.False, null, null, null);

    public static JsonValue Object(List<KeyValuePair<string, JsonValue>> members) => new(JsonKind.Object, null, members, null);

    public static JsonValue Array(List<JsonValue> items) => new(JsonKind.Array, null, null, items);

    /// <summary>The member with this name (the last one when repeated, as a Python dict keeps it), or <see langword="null"/>.</summary>
    public JsonValue? this[string name]
    {
        get
        {
            if (_members is null)
            {
                return null;
            }

            for (var i = _members.Count - 1; i >= 0; i--)
            {
                if (string.Equals(_members[i].Key, name, System.StringComparison.Ordinal))
                {
                    return _members[i].Value;
                }
            }

            return null;
        }
    }

    /// <summary>The string value of a member, or <see langword="null"/> when absent or not a string.</summary>
    public string? StringOf(string name) => this[name] is { Kind: JsonKind.String } value ? value.Text : null;

    /// <summary>Whether a member is <c>true</c>.</summary>
    public bool Flag(string name) => this[name]?.IsTrue == true;
}
