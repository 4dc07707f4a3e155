namespace ComfyUI.Client;

/// <summary>
/// One option of a V3 dynamic combo (<c>COMFY_DYNAMICCOMBO_V3</c>): the generated subclass per option carries the inputs that option
/// brings; they are sent as <c>&lt;input&gt;.&lt;nested input&gt;</c>.
/// </summary>
public abstract class DynamicComboOption
{
    /// <summary>Creates the option.</summary>
    /// <param name="key">The option's key, as the combo shows it.</param>
    protected DynamicComboOption(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
    }

    /// <summary>The option's key: the combo's value.</summary>
    public string Key { get; }

    /// <summary>Writes the option's own inputs (generated).</summary>
    /// <param name="writer">The node's writer (the option's inputs are named <c>&lt;combo input&gt;.&lt;input&gt;</c>).</param>
    protected abstract void WriteInputs(NodeInputWriter writer);

    internal void ComfyWriteInputs(NodeInputWriter writer) => WriteInputs(writer);

    /// <summary>Returns the key.</summary>
    /// <returns>The key.</returns>
    public override string ToString() => Key;
}
