using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>
/// The value of a widget input of a typed node: a literal (<c>Width = 64</c>) or a link from an output of the same type
/// (<c>Width = size.Width</c>, an <see cref="Output{T}"/>). Both convert implicitly; a link of another type does not compile.
/// </summary>
/// <typeparam name="T"><see cref="long"/> or <see cref="ulong"/> for <c>INT</c> (<see cref="ulong"/> where the maximum exceeds
/// <see cref="long.MaxValue"/>, as for seeds up to 2^64−1), <see cref="double"/> for <c>FLOAT</c>, <see cref="string"/> for
/// <c>STRING</c>, <see cref="bool"/> for <c>BOOLEAN</c>, or a marker class for a custom widget type whose literal is JSON.</typeparam>
public readonly struct Input<T>
{
    private readonly T? _value;
    private readonly Output? _link;
    private readonly JsonNode? _json;
    private readonly InputState _state;

    /// <summary>A literal value.</summary>
    /// <param name="value">The value (not <see langword="null"/>).</param>
    public Input(T value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value), "An input value cannot be null: leave an optional input unset instead.");
        }

        _value = value;
        _state = InputState.Literal;
    }

    /// <summary>A link from an output of another node.</summary>
    /// <param name="link">The output.</param>
    public Input(Output<T> link)
    {
        ArgumentNullException.ThrowIfNull(link);
        _link = link;
        _state = InputState.Link;
    }

    private Input(JsonNode json)
    {
        _json = json;
        _state = InputState.Json;
    }

    /// <summary>Whether the input is a link (<see cref="Link"/>) rather than a literal.</summary>
    public bool IsLink => _state == InputState.Link;

    /// <summary>The linked output, or <see langword="null"/> for a literal.</summary>
    public Output? Link => _link;

    /// <summary>The literal value.</summary>
    /// <exception cref="InvalidOperationException">The input is a link, a JSON literal, or was never set.</exception>
    public T Value => _state == InputState.Literal ? _value! : throw new InvalidOperationException($"The input is {Describe()}, not a literal {typeof(T).Name}.");

    internal InputState State => _state;

    internal T? RawValue => _value;

    internal JsonNode? Json => _json;

    /// <summary>A literal given as JSON text (for custom widget types such as <c>BOUNDING_BOX</c> or <c>COLOR</c>).</summary>
    /// <remarks>Static on the generic type on purpose: <c>Input&lt;BoundingBox&gt;.FromJson(…)</c> names the type the literal is for.</remarks>
    /// <param name="json">The JSON text.</param>
    /// <returns>The input.</returns>
    /// <exception cref="System.Text.Json.JsonException">The text is not JSON.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The factory names the input type.")]
    public static Input<T> FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new Input<T>(JsonNode.Parse(json) ?? throw new ArgumentException("JSON null is not an input value.", nameof(json)));
    }

    /// <summary>A literal given as a JSON value (copied).</summary>
    /// <param name="json">The value.</param>
    /// <returns>The input.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The factory names the input type.")]
    public static Input<T> FromJson(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new Input<T>(json.DeepClone());
    }

    /// <summary>A literal value.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator Input<T>(T value) => new(value);

    /// <summary>A link from an output of the same type.</summary>
    /// <param name="link">The output.</param>
    public static implicit operator Input<T>(Output<T> link) => new(link);

    /// <summary>Describes the input: its literal, its JSON, or the output it links to.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Describe();

    private string Describe() => _state switch
    {
        InputState.Literal => System.Convert.ToString(_value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        InputState.Link => "a link from " + _link,
        InputState.Json => _json!.ToJsonString(),
        _ => "not set",
    };
}

internal enum InputState : byte
{
    Unset,
    Literal,
    Link,
    Json,
}
