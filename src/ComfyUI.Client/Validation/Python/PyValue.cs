using System.Globalization;
using System.Numerics;
using System.Text;

namespace ComfyUI.Client.Validation.Python;

/// <summary>
/// A value as Python's <c>json.loads</c> makes it (None, bool, int, float, str, list, dict), with the Python behaviour the server's
/// validation relies on: <c>repr()</c>, <c>str()</c>, truthiness and <c>==</c>. Messages the server builds from values
/// (<c>'a'</c>, <c>True</c>, <c>None</c>, <c>1.0</c>, <c>1e-05</c>) come out the same.
/// </summary>
internal abstract class PyValue
{
    /// <summary>The Python type name, as in <c>type(v).__name__</c> (used in <c>TypeError</c> messages).</summary>
    public abstract string TypeName { get; }

    /// <summary>Python's <c>bool(v)</c>.</summary>
    public abstract bool IsTruthy { get; }

    /// <summary>Appends Python's <c>repr(v)</c>.</summary>
    public abstract void AppendRepr(StringBuilder builder);

    /// <summary>Python's <c>repr(v)</c>.</summary>
    public string Repr()
    {
        var builder = new StringBuilder();
        AppendRepr(builder);
        return builder.ToString();
    }

    /// <summary>Python's <c>str(v)</c> (equal to <c>repr</c> except for strings).</summary>
    public virtual string Str() => Repr();

    /// <summary>Python's <c>==</c>.</summary>
    public abstract bool PyEquals(PyValue other);

    /// <summary>Returns <see cref="Str"/>.</summary>
    public override string ToString() => Str();
}

/// <summary>Python's <c>None</c>.</summary>
internal sealed class PyNone : PyValue
{
    public static readonly PyNone Instance = new();

    private PyNone()
    {
    }

    public override string TypeName => "NoneType";

    public override bool IsTruthy => false;

    public override void AppendRepr(StringBuilder builder) => builder.Append("None");

    public override bool PyEquals(PyValue other) => other is PyNone;
}

/// <summary>A Python number: <c>bool</c>, <c>int</c> or <c>float</c> (they compare with each other exactly, as in Python).</summary>
internal abstract class PyNumber : PyValue
{
    public override bool PyEquals(PyValue other) => other is PyNumber number && PyCompare.CompareNumbers(this, number) == 0;
}

/// <summary>Python's <c>True</c> and <c>False</c> (a subclass of <c>int</c>).</summary>
internal sealed class PyBool : PyNumber
{
    public static readonly PyBool True = new(true);
    public static readonly PyBool False = new(false);

    private PyBool(bool value) => Value = value;

    public bool Value { get; }

    public static PyBool Of(bool value) => value ? True : False;

    public override string TypeName => "bool";

    public override bool IsTruthy => Value;

    public override void AppendRepr(StringBuilder builder) => builder.Append(Value ? "True" : "False");
}

/// <summary>A Python <c>int</c> (arbitrary precision: seeds up to 2^64−1 and beyond).</summary>
internal sealed class PyInt(BigInteger value) : PyNumber
{
    public BigInteger Value { get; } = value;

    public override string TypeName => "int";

    public override bool IsTruthy => !Value.IsZero;

    public override void AppendRepr(StringBuilder builder) => builder.Append(Value.ToString(CultureInfo.InvariantCulture));
}

/// <summary>A Python <c>float</c> (a double; its repr is the shortest text that reads back the same, Python style).</summary>
internal sealed class PyFloat(double value) : PyNumber
{
    public double Value { get; } = value;

    public override string TypeName => "float";

    public override bool IsTruthy => Value != 0;

    public override void AppendRepr(StringBuilder builder) => builder.Append(PyFloatFormat.Repr(Value));
}

/// <summary>A Python <c>str</c>.</summary>
internal sealed class PyStr(string value) : PyValue
{
    public string Value { get; } = value;

    public override string TypeName => "str";

    public override bool IsTruthy => Value.Length > 0;

    public override void AppendRepr(StringBuilder builder) => PyStrRepr.Append(builder, Value);

    public override string Str() => Value;

    public override bool PyEquals(PyValue other) => other is PyStr s && string.Equals(s.Value, Value, StringComparison.Ordinal);
}

/// <summary>A Python <c>list</c>.</summary>
internal sealed class PyList(List<PyValue> items) : PyValue
{
    public List<PyValue> Items { get; } = items;

    public int Count => Items.Count;

    public PyValue this[int index] => Items[index];

    public override string TypeName => "list";

    public override bool IsTruthy => Items.Count > 0;

    public override void AppendRepr(StringBuilder builder)
    {
        builder.Append('[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            Items[i].AppendRepr(builder);
        }

        builder.Append(']');
    }

    public override bool PyEquals(PyValue other)
    {
        if (other is not PyList list || list.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            // Python compares list items by identity first, then ==.
            if (!ReferenceEquals(Items[i], list.Items[i]) && !Items[i].PyEquals(list.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python's <c>item in list</c>: identity or <c>==</c>.</summary>
    public bool Contains(PyValue item)
    {
        foreach (var candidate in Items)
        {
            if (ReferenceEquals(candidate, item) || candidate.PyEquals(item))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A Python <c>dict</c> with string keys (what JSON objects become), in insertion order.</summary>
internal sealed class PyDict : PyValue
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, PyValue> _values = new(StringComparer.Ordinal);

    public override string TypeName => "dict";

    public override bool IsTruthy => _keys.Count > 0;

    public int Count => _keys.Count;

    /// <summary>The keys in insertion order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The entries in insertion order.</summary>
    public IEnumerable<KeyValuePair<string, PyValue>> Items => _keys.Select(key => new KeyValuePair<string, PyValue>(key, _values[key]));

    /// <summary>Gets or sets a value; setting an existing key keeps its position, as in Python.</summary>
    public PyValue this[string key]
    {
        get => _values[key];
        set
        {
            if (!_values.ContainsKey(key))
            {
                _keys.Add(key);
            }

            _values[key] = value;
        }
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out PyValue value) => _values.TryGetValue(key, out value);

    public PyValue? Get(string key) => _values.GetValueOrDefault(key);

    public bool Remove(string key)
    {
        if (!_values.Remove(key))
        {
            return false;
        }

        _keys.Remove(key);
        return true;
    }

    /// <summary>A shallow copy (Python's <c>dict.copy()</c>).</summary>
    public PyDict Copy()
    {
        var copy = new PyDict();
        foreach (var key in _keys)
        {
            copy[key] = _values[key];
        }

        return copy;
    }

    public override void AppendRepr(StringBuilder builder)
    {
        builder.Append('{');
        for (var i = 0; i < _keys.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            PyStrRepr.Append(builder, _keys[i]);
            builder.Append(": ");
            _values[_keys[i]].AppendRepr(builder);
        }

        builder.Append('}');
    }

    public override bool PyEquals(PyValue other)
    {
        if (other is not PyDict dict || dict.Count != Count)
        {
            return false;
        }

        foreach (var key in _keys)
        {
            if (!dict.TryGetValue(key, out var value) || (!ReferenceEquals(value, _values[key]) && !value.PyEquals(_values[key])))
            {
                return false;
            }
        }

        return true;
    }
}
