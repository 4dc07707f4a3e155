namespace ComfyUI.Client.Validation.Python;

/// <summary>Python's <c>in</c>, <c>len()</c> and <c>dict.get</c> on any JSON value, with the TypeErrors Python raises for the rest.</summary>
internal static class PyOps
{
    /// <summary><c>d.get(key)</c> when <paramref name="container"/> is a dict; <see langword="null"/> otherwise or when absent.</summary>
    public static PyValue? Get(PyValue container, string key) => container is PyDict dict ? dict.Get(key) : null;

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(PyValue container, PyValue item) => container switch
    {
        PyList list => list.Contains(item),
        PyStr text => item is PyStr part
            ? text.Value.Contains(part.Value, StringComparison.Ordinal)
            : throw PyException.TypeError($"'in <string>' requires string as left operand, not {item.TypeName}"),
        PyDict dict => item switch
        {
            PyList or PyDict => throw PyException.TypeError($"unhashable type: '{item.TypeName}'"),
            PyStr key => dict.ContainsKey(key.Value),
            _ => false,
        },
        _ => throw PyException.TypeError($"argument of type '{container.TypeName}' is not iterable"),
    };

    /// <summary>Python's <c>len(container)</c>.</summary>
    public static int Length(PyValue container) => container switch
    {
        PyList list => list.Count,
        PyStr text => text.Value.EnumerateRunes().Count(),
        PyDict dict => dict.Count,
        _ => throw PyException.TypeError($"object of type '{container.TypeName}' has no len()"),
    };
}
