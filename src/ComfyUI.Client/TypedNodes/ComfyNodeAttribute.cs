namespace ComfyUI.Client;

/// <summary>Marks a generated node class with what <c>/object_info</c> says about the ComfyUI class it stands for.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ComfyNodeAttribute : Attribute
{
    /// <summary>Marks a generated node class.</summary>
    /// <param name="classType">The ComfyUI class name, exactly as the server has it.</param>
    public ComfyNodeAttribute(string classType)
    {
        ClassType = classType;
    }

    /// <summary>The ComfyUI class name (<c>class_type</c>), exactly as the server has it.</summary>
    public string ClassType { get; }

    /// <summary>The name the editor shows, when it differs from the class name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The '/'-separated category.</summary>
    public string? Category { get; set; }

    /// <summary>The Python module (<c>nodes</c>, <c>comfy_extras.…</c>, <c>custom_nodes.…</c>).</summary>
    public string? PythonModule { get; set; }

    /// <summary>Whether the class is an output node.</summary>
    public bool OutputNode { get; set; }

    /// <summary>Whether the class is deprecated.</summary>
    public bool Deprecated { get; set; }

    /// <summary>Whether the class is experimental.</summary>
    public bool Experimental { get; set; }

    /// <summary>Whether the class calls a paid API.</summary>
    public bool ApiNode { get; set; }

    /// <summary>Whether the class is for development only.</summary>
    public bool DevOnly { get; set; }
}
