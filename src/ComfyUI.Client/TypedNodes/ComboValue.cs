using System.Globalization;
using System.Text.Json.Nodes;

namespace ComfyUI.Client;

/// <summary>The value of a combo input as a generated choice struct holds it: a choice's text, a numeric choice, or a link.</summary>
public readonly struct ComboValue
{
    private readonly string? _text;
    private readonly bool _isJson;
    private readonly Output? _link;

    private ComboValue(string? text, bool isJson, Output? link)
    {
        _text = text;
        _isJson = isJson;
        _link = link;
    }

    /// <summary>Whether this is a link.</summary>
    public bool IsLink => _link is not null;

    /// <summary>The linked output, or <see langword="null"/>.</summary>
    public Output? LinkedOutput => _link;

    /// <summary>A choice by its text.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The value.</returns>
    public static ComboValue Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, false, null);
    }

    /// <summary>A choice that is not text (a number), as JSON.</summary>
    /// <param name="json">The JSON text of the choice, for example <c>8</c>.</param>
    /// <returns>The value.</returns>
    public static ComboValue Json(string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(json);
        return new(json, true, null);
    }

    /// <summary>A numeric choice.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static ComboValue Number(long value) => new(value.ToString(CultureInfo.InvariantCulture), true, null);

    /// <summary>A link from an output.</summary>
    /// <param name="link">The output.</param>
    /// <returns>The value.</returns>
    public static ComboValue FromLink(Output link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return new(null, false, link);
    }

    internal bool IsSet => _text is not null || _link is not null;

    internal JsonNode? ToLiteral() => _text is null ? null : _isJson ? JsonNode.Parse(_text) : JsonValue.Create(_text);

    /// <summary>The choice's text, or the output it links to.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => _link is not null ? "a link from " + _link : _text ?? "not set";
}

/// <summary>A generated choice struct of a combo input.</summary>
public interface IComboInput
{
    /// <summary>The value as it goes into the prompt.</summary>
    ComboValue Value { get; }
}
