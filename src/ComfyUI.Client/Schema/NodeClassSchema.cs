// Kept free of newer-only APIs (ArgumentNullException.ThrowIfNull, …): the source generator links the schema files into netstandard2.0.
#pragma warning disable CA1510

namespace ComfyUI.Client;

/// <summary>
/// One node class of a server as the editor, the server and typed code see it: its inputs in order (required, then optional), which of
/// them are widgets and which are sockets, the editor's widget layout, the outputs and the flags. Get it from <see cref="NodeSchema.Find"/>.
/// Immutable and thread-safe.
/// </summary>
public sealed class NodeClassSchema
{
    private Dictionary<string, NodeInputSchema>? _byName;

    /// <summary>The class name (the <c>class_type</c> of a prompt node).</summary>
    public string ClassType { get; init; } = "";

    /// <summary>The definition it was built from.</summary>
    public NodeDefinition Definition { get; init; } = new();

    /// <summary>The inputs in the server's <c>input_order</c>: required, then optional. Hidden inputs are in <see cref="HiddenInputs"/>.</summary>
    public IReadOnlyList<NodeInputSchema> Inputs { get; init; } = [];

    /// <summary>The hidden inputs (name → kind: <c>PROMPT</c>, <c>EXTRA_PNGINFO</c>, <c>UNIQUE_ID</c>, …), filled in by the server, never sent.</summary>
    public IReadOnlyDictionary<string, string> HiddenInputs { get; init; } = new Dictionary<string, string>();

    /// <summary>The outputs, by slot.</summary>
    public IReadOnlyList<NodeOutputSchema> Outputs { get; init; } = [];

    /// <summary>
    /// The editor's widgets in the order of a UI workflow node's <c>widgets_values</c> (without the sub-widgets of dynamic combos, which
    /// depend on the chosen value).
    /// </summary>
    public IReadOnlyList<NodeWidgetSchema> Widgets { get; init; } = [];

    /// <summary>The name shown in the editor.</summary>
    public string DisplayName => Definition.DisplayName;

    /// <summary>The description ("" when none).</summary>
    public string Description => Definition.Description;

    /// <summary>The '/'-separated category path.</summary>
    public string? Category => Definition.Category;

    /// <summary>The Python module (<c>nodes</c>, <c>comfy_extras.…</c>, <c>custom_nodes.&lt;pack&gt;</c>, <c>comfy_api_nodes.…</c>).</summary>
    public string? PythonModule => Definition.PythonModule;

    /// <summary>Whether the node is an output node (a prompt needs at least one).</summary>
    public bool IsOutputNode => Definition.OutputNode;

    /// <summary>Whether the node is deprecated.</summary>
    public bool IsDeprecated => Definition.Deprecated;

    /// <summary>Whether the node is experimental.</summary>
    public bool IsExperimental => Definition.Experimental;

    /// <summary>Whether the node is for development only.</summary>
    public bool IsDevOnly => Definition.DevOnly;

    /// <summary>Whether the node calls a paid API ("partner node").</summary>
    public bool IsApiNode => Definition.ApiNode;

    /// <summary>Whether the node takes its inputs as whole lists.</summary>
    public bool IsInputList => Definition.IsInputList;

    /// <summary>Finds an input (required or optional; also a dotted sub-input of a dynamic combo) by name.</summary>
    /// <param name="name">The input name.</param>
    /// <returns>The input, or <see langword="null"/>.</returns>
    public NodeInputSchema? FindInput(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        var byName = _byName;
        if (byName is null)
        {
            byName = new Dictionary<string, NodeInputSchema>(StringComparer.Ordinal);
            foreach (var input in Inputs)
            {
                byName[input.Name] = input;
                foreach (var option in input.DynamicOptions)
                {
                    foreach (var sub in option.Inputs)
                    {
                        // The same sub-input name may appear under several choices; the first one is kept.
                        if (!byName.ContainsKey(sub.Name))
                        {
                            byName[sub.Name] = sub;
                        }
                    }
                }
            }

            _byName = byName;
        }

        return byName.TryGetValue(name, out var found) ? found : null;
    }

    /// <summary>Whether the class declares an input of this name (see <see cref="FindInput"/>), or a hidden input of this name.</summary>
    /// <param name="name">The input name.</param>
    /// <returns><see langword="true"/> when declared.</returns>
    public bool DeclaresInput(string name) => FindInput(name) is not null || HiddenInputs.ContainsKey(name);

    /// <inheritdoc />
    public override string ToString() => ClassType;
}
