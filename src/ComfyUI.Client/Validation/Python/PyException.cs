namespace ComfyUI.Client.Validation.Python;

/// <summary>
/// A Python exception the server's validation would raise at this point: its type as <c>full_type_name</c> writes it
/// (<c>KeyError</c>, <c>TypeError</c>, <c>module.Class</c>) and <c>str(exception)</c>.
/// </summary>
internal sealed class PyException : Exception
{
    public PyException(string typeName, string message)
        : base(message)
    {
        TypeName = typeName;
    }

    /// <summary>The exception type (<c>KeyError</c>, <c>TypeError</c>, …).</summary>
    public string TypeName { get; }

    /// <summary><c>KeyError(key)</c>: its text is the key's repr.</summary>
    public static PyException KeyError(PyValue key) => new("KeyError", key.Repr());

    public static PyException TypeError(string message) => new("TypeError", message);

    public static PyException ValueError(string message) => new("ValueError", message);

    public static PyException IndexError(string message) => new("IndexError", message);

    public static PyException AttributeError(string message) => new("AttributeError", message);
}
