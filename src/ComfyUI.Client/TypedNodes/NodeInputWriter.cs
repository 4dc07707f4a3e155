using System.Globalization;
using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>
/// Writes the inputs of one typed node into the workflow that <see cref="WorkflowBuilder.Build"/> makes. Generated code calls it;
/// it checks what the compiler cannot: links to nodes of another builder, values that were never set, list lengths, non-finite numbers.
/// </summary>
public sealed class NodeInputWriter
{
    private readonly WorkflowNode _node;
    private readonly Workflow _owner;

    internal NodeInputWriter(WorkflowNode node, Workflow owner)
    {
        _node = node;
        _owner = owner;
    }

    /// <summary>Writes a widget input: its literal, or the link.</summary>
    /// <typeparam name="T">The input's value type.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The value was never set, or links to a node of another builder.</exception>
    public void Write<T>(string name, Input<T> value)
    {
        switch (value.State)
        {
            case InputState.Link:
                Write(name, value.Link);
                return;
            case InputState.Json:
                Set(name, value.Json!.DeepClone());
                return;
            case InputState.Literal:
                Set(name, Literal(name, value.RawValue!));
                return;
            default:
                throw Fail(name, "has no value (a default(Input<T>) was assigned): set a literal or a link");
        }
    }

    /// <summary>Writes an optional widget input when it is set.</summary>
    /// <typeparam name="T">The input's value type.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="value">The value, or <see langword="null"/> to leave the input out.</param>
    public void Write<T>(string name, Input<T>? value)
    {
        if (value is { } set)
        {
            Write(name, set);
        }
    }

    /// <summary>Writes a link input when it is set.</summary>
    /// <param name="name">The input name.</param>
    /// <param name="link">The output, or <see langword="null"/> to leave the input out.</param>
    /// <exception cref="InvalidOperationException">The output belongs to a node of another builder.</exception>
    public void Write(string name, Output? link)
    {
        if (link is null)
        {
            return;
        }

        if (!ReferenceEquals(link.Node.Owner, _owner))
        {
            throw Fail(name, $"links to {link}, a node of another WorkflowBuilder: add that node to this builder");
        }

        Set(name, new JsonArray(JsonValue.Create(link.NodeId), JsonValue.Create(link.Index)));
    }

    /// <summary>Writes a combo input.</summary>
    /// <typeparam name="TCombo">The generated choice struct.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="value">The choice or link.</param>
    /// <exception cref="InvalidOperationException">The value was never set.</exception>
    public void WriteCombo<TCombo>(string name, TCombo value)
        where TCombo : struct, IComboInput
    {
        var combo = value.Value;
        if (combo.LinkedOutput is { } link)
        {
            Write(name, link);
        }
        else if (combo.IsSet)
        {
            Set(name, combo.ToLiteral());
        }
        else
        {
            throw Fail(name, "has no value (a default choice struct was assigned): set a choice");
        }
    }

    /// <summary>Writes an optional combo input when it is set.</summary>
    /// <typeparam name="TCombo">The generated choice struct.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="value">The choice, or <see langword="null"/> to leave the input out.</param>
    public void WriteCombo<TCombo>(string name, TCombo? value)
        where TCombo : struct, IComboInput
    {
        if (value is { } set)
        {
            WriteCombo(name, set);
        }
    }

    /// <summary>Writes a multi-select combo as a literal list (<c>{"__value__": [...]}</c>).</summary>
    /// <typeparam name="TCombo">The generated choice struct.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="values">The choices, or <see langword="null"/> to leave the input out.</param>
    public void WriteComboList<TCombo>(string name, IReadOnlyList<TCombo>? values)
        where TCombo : struct, IComboInput
    {
        if (values is null)
        {
            return;
        }

        var array = new JsonArray();
        foreach (var value in values)
        {
            var combo = value.Value;
            if (combo.IsLink || !combo.IsSet)
            {
                throw Fail(name, "is a multi-select list: each item must be a choice, not a link or an unset value");
            }

            array.Add(combo.ToLiteral());
        }

        Set(name, new JsonObject { ["__value__"] = array });
    }

    /// <summary>Writes the chosen option of a V3 dynamic combo and the inputs that option brings (named <c>&lt;name&gt;.&lt;input&gt;</c>).</summary>
    /// <param name="name">The input name.</param>
    /// <param name="option">The option, or <see langword="null"/> to leave the input out.</param>
    public void WriteOption(string name, DynamicComboOption? option)
    {
        if (option is null)
        {
            return;
        }

        Set(name, JsonValue.Create(option.Key));
        option.ComfyWriteInputs(this);
    }

    /// <summary>
    /// Writes a V3 autogrow input: item <c>i</c> goes to <c>&lt;name&gt;.&lt;slot i&gt;</c>, where the slot is
    /// <paramref name="slotNames"/>[i] or <paramref name="prefix"/> followed by <c>i</c>.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="name">The input name.</param>
    /// <param name="items">The items, or <see langword="null"/> for none.</param>
    /// <param name="prefix">The slot prefix, when the slots are numbered.</param>
    /// <param name="slotNames">The slot names, when the schema lists them.</param>
    /// <param name="min">The fewest items the node takes.</param>
    /// <param name="max">The most items the node takes.</param>
    /// <param name="write">Writes one item under its slot name.</param>
    /// <exception cref="InvalidOperationException">Too few or too many items.</exception>
    public void WriteAutogrow<T>(string name, IReadOnlyList<T>? items, string? prefix, IReadOnlyList<string>? slotNames, int min, int max, Action<NodeInputWriter, string, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var count = items?.Count ?? 0;
        if (count < min || count > max)
        {
            throw Fail(name, $"takes {min} to {max} items, but {count} {(count == 1 ? "was" : "were")} given");
        }

        for (var i = 0; i < count; i++)
        {
            var slot = slotNames is not null ? slotNames[i] : prefix + i.ToString(CultureInfo.InvariantCulture);
            write(this, name + "." + slot, items![i]);
        }
    }

    private JsonValue Literal<T>(string name, T value)
    {
        switch (value)
        {
            case long number: return JsonValue.Create(number);
            case ulong number: return JsonValue.Create(number);
            case int number: return JsonValue.Create(number);
            case string text: return JsonValue.Create(text);
            case bool flag: return JsonValue.Create(flag);
            case double number when double.IsFinite(number): return JsonValue.Create(number);
            case double number: throw Fail(name, $"is {number.ToString(CultureInfo.InvariantCulture)}: JSON has no NaN or infinity, so the server could not read it");
            case decimal number: return JsonValue.Create(number);
            default: throw Fail(name, $"holds a {typeof(T).Name}, which has no JSON form: use Input<{typeof(T).Name}>.FromJson or a link");
        }
    }

    private void Set(string name, JsonNode? value) => _node.SetInputValue(name, value);

    private InvalidOperationException Fail(string name, string problem) =>
        new($"Input '{name}' of node '{_node.Id}' ({_node.ClassType}) {problem}.");
}
