using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// One node of a <see cref="Workflow"/>: its id, class, title and inputs. Inputs are literal values (number, string, boolean),
/// links to another node's output (<c>["4", 0]</c>) or literal lists (<c>{"__value__": [...]}</c>).
/// The setters return the node, so calls chain: <c>node.Set("seed", 42).Set("steps", 20)</c>.
/// </summary>
public sealed partial class WorkflowNode
{
    private const string ListWrapper = "__value__";
    private readonly Workflow _workflow;
    private readonly JsonObject _node;

    internal WorkflowNode(Workflow workflow, string id, JsonObject node)
    {
        _workflow = workflow;
        Id = id;
        _node = node;
    }

    /// <summary>The node id (a string; ComfyUI uses numbers as strings, and <c>"12:3"</c> paths inside subgraphs).</summary>
    public string Id { get; }

    /// <summary>The node class, for example <c>KSampler</c>.</summary>
    public string ClassType => _node["class_type"]!.GetValue<string>();

    /// <summary>The title shown in the editor (<c>_meta.title</c>), or <see langword="null"/> when the node has none.</summary>
    public string? Title =>
        _node["_meta"] is JsonObject meta && meta["title"] is JsonValue title && title.GetValueKind() == JsonValueKind.String
            ? title.GetValue<string>()
            : null;

    /// <summary>The names of the node's inputs, in document order.</summary>
    public IEnumerable<string> InputNames => Inputs is { } inputs ? inputs.Select(p => p.Key).ToList() : [];

    private JsonObject? Inputs => _node["inputs"] as JsonObject;

    /// <summary>Sets or removes the title (<c>_meta.title</c>).</summary>
    /// <param name="title">The title, or <see langword="null"/> to remove it.</param>
    /// <returns>This node.</returns>
    public WorkflowNode SetTitle(string? title)
    {
        if (title is null)
        {
            if (_node["_meta"] is JsonObject existing)
            {
                existing.Remove("title");
            }
        }
        else if (_node["_meta"] is JsonObject meta)
        {
            meta["title"] = title;
        }
        else
        {
            _node["_meta"] = new JsonObject { ["title"] = title };
        }

        _workflow.MarkModified();
        return this;
    }

    /// <summary>Whether the node has this input.</summary>
    /// <param name="name">The input name, for example <c>seed</c>.</param>
    /// <returns><see langword="true"/> when the input exists.</returns>
    public bool HasInput(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Inputs?.ContainsKey(name) == true;
    }

    /// <summary>The raw JSON value of an input, as a copy (changing it does not change the workflow).</summary>
    /// <param name="name">The input name.</param>
    /// <returns>The value, or <see langword="null"/> when the input is absent or JSON null.</returns>
    public JsonNode? GetInputNode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Inputs?[name]?.DeepClone();
    }

    /// <summary>
    /// Reads a literal input as <typeparamref name="T"/>: <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>,
    /// <see cref="ulong"/> (seeds up to 2^64−1), <see cref="double"/> or <see cref="decimal"/>.
    /// </summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="name">The input name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The node has no such input.</exception>
    /// <exception cref="InvalidOperationException">The input holds something else (a link, a list, another JSON type, a number out of range).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the types above.</exception>
    public T GetInput<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Inputs is not { } inputs || !inputs.TryGetPropertyValue(name, out var value))
        {
            throw new KeyNotFoundException($"Node '{Id}' ({ClassType}) has no input '{name}'. Inputs: {string.Join(", ", InputNames)}.");
        }

        if (TryConvert<T>(value, out var result))
        {
            return result;
        }

        var what = IsLinkValue(value) ? $"a link to node '{value![0]!.GetValue<string>()}'" : Workflow.Describe(value);
        throw new InvalidOperationException($"Input '{name}' of node '{Id}' ({ClassType}) is {what} ({value?.ToJsonString() ?? "null"}), not a {typeof(T).Name}.");
    }

    /// <summary>Reads a literal input as <typeparamref name="T"/> (see <see cref="GetInput{T}"/>) if it exists and has that type.</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value, or the default.</param>
    /// <returns><see langword="true"/> when the input exists and was read.</returns>
    public bool TryGetInput<T>(string name, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Inputs is { } inputs && inputs.TryGetPropertyValue(name, out var node) && TryConvert(node, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Whether the input is a link to another node's output (<c>["&lt;node id&gt;", &lt;output index&gt;]</c>).</summary>
    /// <param name="name">The input name.</param>
    /// <returns><see langword="true"/> for a link; <see langword="false"/> for a literal or an absent input.</returns>
    public bool IsLink(string name) => TryGetLink(name, out _);

    /// <summary>Reads a link input.</summary>
    /// <param name="name">The input name.</param>
    /// <returns>The source node id and its output index.</returns>
    /// <exception cref="KeyNotFoundException">The node has no such input.</exception>
    /// <exception cref="InvalidOperationException">The input is not a link.</exception>
    public (string NodeId, int OutputIndex) GetLink(string name)
    {
        if (TryGetLink(name, out var link))
        {
            return link;
        }

        if (!HasInput(name))
        {
            throw new KeyNotFoundException($"Node '{Id}' ({ClassType}) has no input '{name}'. Inputs: {string.Join(", ", InputNames)}.");
        }

        throw new InvalidOperationException($"Input '{name}' of node '{Id}' ({ClassType}) is not a link: {Inputs![name]?.ToJsonString() ?? "null"}.");
    }

    /// <summary>Reads a link input, if the input is one.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="link">The source node id and output index.</param>
    /// <returns><see langword="true"/> when the input is a link.</returns>
    public bool TryGetLink(string name, out (string NodeId, int OutputIndex) link)
    {
        ArgumentNullException.ThrowIfNull(name);
        var value = Inputs?[name];
        if (IsLinkValue(value) && TryConvert<int>(value![1], out var index))
        {
            link = (value[0]!.GetValue<string>(), index);
            return true;
        }

        link = default;
        return false;
    }

    /// <summary>Reads a literal list input (<c>{"__value__": [...]}</c>) as a copy.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="values">The list items.</param>
    /// <returns><see langword="true"/> when the input is a wrapped list.</returns>
    public bool TryGetList(string name, [NotNullWhen(true)] out JsonArray? values)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Inputs?[name] is JsonObject wrapper && wrapper[ListWrapper] is JsonArray list)
        {
            values = (JsonArray)list.DeepClone();
            return true;
        }

        values = null;
        return false;
    }

    /// <summary>Sets a string input.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetValue(name, JsonValue.Create(value));
    }

    /// <summary>Sets an integer input.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, int value) => SetValue(name, JsonValue.Create(value));

    /// <summary>Sets an integer input.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, long value) => SetValue(name, JsonValue.Create(value));

    /// <summary>Sets an unsigned integer input, written exactly (seeds go up to 18446744073709551615).</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, ulong value) => SetValue(name, JsonValue.Create(value));

    /// <summary>Sets a floating-point input (must be finite: JSON has no NaN or infinity).</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity; the server would not read the prompt.");
        }

        return SetValue(name, JsonValue.Create(value));
    }

    /// <summary>Sets a decimal input, written exactly as the decimal's digits.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, decimal value) => SetValue(name, JsonValue.Create(value));

    /// <summary>Sets a boolean input.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, bool value) => SetValue(name, JsonValue.Create(value));

    /// <summary>
    /// Sets an input to any JSON value (copied when it belongs to another document). A bare two-element array is read by the server as a link:
    /// use <see cref="SetLink(string, string, int)"/> or <see cref="SetList(string, JsonArray)"/>.
    /// </summary>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value; <see langword="null"/> writes JSON null.</param>
    /// <returns>This node.</returns>
    public WorkflowNode Set(string name, JsonNode? value) => SetValue(name, value is null ? null : value.Parent is null ? value : value.DeepClone());

    /// <summary>Links an input to an output of another node: writes <c>["&lt;nodeId&gt;", outputIndex]</c> with a string id, as the server requires.</summary>
    /// <param name="name">The input name, for example <c>model</c>.</param>
    /// <param name="nodeId">The source node id.</param>
    /// <param name="outputIndex">The source output index (0 for the first output).</param>
    /// <returns>This node.</returns>
    public WorkflowNode SetLink(string name, string nodeId, int outputIndex = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentOutOfRangeException.ThrowIfNegative(outputIndex);
        return SetValue(name, new JsonArray(JsonValue.Create(nodeId), JsonValue.Create(outputIndex)));
    }

    /// <summary>Links an input to an output of another node.</summary>
    /// <param name="name">The input name, for example <c>images</c>.</param>
    /// <param name="source">The source node.</param>
    /// <param name="outputIndex">The source output index (0 for the first output).</param>
    /// <returns>This node.</returns>
    public WorkflowNode SetLink(string name, WorkflowNode source, int outputIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SetLink(name, source.Id, outputIndex);
    }

    /// <summary>Sets a literal list input, wrapped as <c>{"__value__": [...]}</c> so the server does not read it as a link.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="values">The items (copied).</param>
    /// <returns>This node.</returns>
    public WorkflowNode SetList(string name, JsonArray values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return SetValue(name, new JsonObject { [ListWrapper] = values.DeepClone() });
    }

    /// <summary>Sets a literal list of strings, wrapped as <c>{"__value__": [...]}</c> (for example a multi-select combo).</summary>
    /// <param name="name">The input name.</param>
    /// <param name="values">The items.</param>
    /// <returns>This node.</returns>
    public WorkflowNode SetList(string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = new JsonArray();
        foreach (var value in values)
        {
            array.Add((JsonNode?)JsonValue.Create(value));
        }

        return SetValue(name, new JsonObject { [ListWrapper] = array });
    }

    /// <summary>Sets a literal list of numbers, wrapped as <c>{"__value__": [...]}</c>.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="values">The items.</param>
    /// <returns>This node.</returns>
    public WorkflowNode SetList(string name, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = new JsonArray();
        foreach (var value in values)
        {
            array.Add((JsonNode?)JsonValue.Create(value));
        }

        return SetValue(name, new JsonObject { [ListWrapper] = array });
    }

    /// <summary>Removes an input.</summary>
    /// <param name="name">The input name.</param>
    /// <returns><see langword="true"/> when the input existed.</returns>
    public bool RemoveInput(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Inputs is { } inputs && inputs.Remove(name))
        {
            _workflow.MarkModified();
            return true;
        }

        return false;
    }

    /// <summary>Returns <c>"&lt;id&gt; &lt;class&gt;"</c> and the title when there is one.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => Title is null ? $"{Id} {ClassType}" : $"{Id} {ClassType} '{Title}'";

    internal void SetInputValue(string name, JsonNode? value) => SetValue(name, value);

    private WorkflowNode SetValue(string name, JsonNode? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Inputs is not { } inputs)
        {
            inputs = new JsonObject();
            _node["inputs"] = inputs;
        }

        inputs[name] = value;
        _workflow.MarkModified();
        return this;
    }

    private static bool IsLinkValue(JsonNode? value) =>
        value is JsonArray { Count: 2 } array
        && array[0] is JsonValue id && id.GetValueKind() == JsonValueKind.String
        && array[1] is JsonValue index && index.GetValueKind() == JsonValueKind.Number;

    private static bool TryConvert<T>(JsonNode? node, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        if (node is not JsonValue)
        {
            return false;
        }

        var element = JsonSerializer.SerializeToElement(node, ComfyJsonContext.Default.JsonNode);
        object? result = null;
        if (typeof(T) == typeof(string))
        {
            result = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        else if (typeof(T) == typeof(bool))
        {
            result = element.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null };
        }
        else if (element.ValueKind != JsonValueKind.Number)
        {
            if (typeof(T) != typeof(int) && typeof(T) != typeof(long) && typeof(T) != typeof(ulong)
                && typeof(T) != typeof(double) && typeof(T) != typeof(decimal))
            {
                throw new NotSupportedException($"GetInput<{typeof(T).Name}> is not supported: use string, bool, int, long, ulong, double or decimal, or GetInputNode.");
            }

            return false;
        }
        else if (typeof(T) == typeof(int))
        {
            result = element.TryGetInt32(out var v) ? v : null;
        }
        else if (typeof(T) == typeof(long))
        {
            result = element.TryGetInt64(out var v) ? v : null;
        }
        else if (typeof(T) == typeof(ulong))
        {
            result = element.TryGetUInt64(out var v) ? v : null;
        }
        else if (typeof(T) == typeof(double))
        {
            result = element.TryGetDouble(out var v) ? v : null;
        }
        else if (typeof(T) == typeof(decimal))
        {
            result = element.TryGetDecimal(out var v) ? v : null;
        }
        else
        {
            throw new NotSupportedException($"GetInput<{typeof(T).Name}> is not supported: use string, bool, int, long, ulong, double or decimal, or GetInputNode.");
        }

        if (result is T typed)
        {
            value = typed;
            return true;
        }

        return false;
    }
}
