using ComfyUI.Client.Generators.CodeGen.Naming;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>Writes the generated types: marker classes, node classes with their output handles, and dynamic-combo option classes.</summary>
internal sealed class Emitter
{
    private const string Sdk = InputMembers.Sdk;

    /// <summary>Members of a node class besides its inputs: the handle class and the overrides.</summary>
    private static readonly string[] NodeReserved = { "Outputs", "WriteInputs", "CreateOutputs" };

    /// <summary>Members of a handle besides its outputs (<see cref="Sdk"/>NodeHandle's and the class's own name).</summary>
    private static readonly string[] HandleReserved = { "Outputs", "Id", "ClassType", "GetOutput", "GetListOutput", "GetAnyOutput" };

    /// <summary>Members of a dynamic-combo option besides its inputs.</summary>
    private static readonly string[] OptionReserved = { "Key", "WriteInputs" };

    private readonly TypePlan _plan;
    private readonly string _namespace;

    public Emitter(TypePlan plan, string @namespace)
    {
        _plan = plan;
        _namespace = @namespace;
    }

    /// <summary>The fully qualified marker class of a ComfyUI type.</summary>
    public string Marker(string type) => "global::" + _namespace + "." + _plan.MarkerOf(type);

    public static void WriteMarker(CodeWriter writer, string type, string name)
    {
        Docs.Element(writer, "summary",
            $"The ComfyUI type {Docs.Code(type)}: the <c>T</c> of <see cref=\"{Sdk}Output{{T}}\"/> for outputs of this type and of the inputs that take them. Never instantiated.");
        writer.Open($"public sealed class {name}");
        writer.Line($"private {name}()");
        writer.Line("{");
        writer.Line("}");
        writer.Close();
    }

    public void WriteNode(CodeWriter writer, NodeClassSchema node)
    {
        var name = _plan.ClassOf(node.ClassType);
        var scope = new NameScope(Names.ObjectMembers);
        scope.Reserve(name);
        foreach (var reserved in NodeReserved)
        {
            scope.Reserve(reserved);
        }

        var members = new InputMembers(this, node.Inputs, scope);

        var summary = Docs.Code(node.ClassType) + (node.DisplayName != node.ClassType ? " (" + Docs.Escape(node.DisplayName) + ")" : "") + "."
            + (node.Description.Length > 0 ? "\n" + Docs.Escape(node.Description) : "");
        Docs.Element(writer, "summary", summary);
        Docs.Element(writer, "remarks", Docs.Sentences(new[]
        {
            node.Category is { Length: > 0 } category ? "Category " + Docs.Code(category) + "." : null,
            node.PythonModule is { Length: > 0 } module ? "Module " + Docs.Code(module) + "." : null,
            node.IsOutputNode ? "An output node: a workflow runs the nodes it needs." : null,
            node.IsDeprecated ? "Deprecated." : null,
            node.IsExperimental ? "Experimental." : null,
            node.IsApiNode ? "An API node: it calls a paid service." : null,
            node.IsDevOnly ? "For development only." : null,
        }));
        writer.Line(Attribute(node));
        writer.Open($"public sealed partial class {name} : {Sdk}TypedNode<{name}.Outputs>");
        Docs.Element(writer, "summary", $"Creates a {Docs.Code(node.ClassType)} node: set its inputs, then add it to a <see cref=\"{Sdk}WorkflowBuilder\"/>.");
        writer.Line($"public {name}()");
        writer.Line($"    : base({Literals.String(node.ClassType)}, {(node.IsOutputNode ? "true" : "false")})");
        writer.Line("{");
        writer.Line("}");
        members.WriteProperties(writer);
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Open($"protected override void WriteInputs({Sdk}NodeInputWriter writer)");
        members.WriteStatements(writer);
        writer.Close();
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line($"protected override Outputs CreateOutputs({Sdk}NodeReference node) => new Outputs(node);");
        members.WriteNestedTypes(writer);
        writer.Line();
        WriteHandle(writer, node);
        writer.Close();
    }

    private void WriteHandle(CodeWriter writer, NodeClassSchema node)
    {
        Docs.Element(writer, "summary",
            $"A {Docs.Code(node.ClassType)} node in a workflow, as <see cref=\"{Sdk}WorkflowBuilder\"/> hands it out: its outputs, to link into inputs of later nodes.");
        writer.Open($"public sealed class Outputs : {Sdk}NodeHandle");
        writer.Line($"internal Outputs({Sdk}NodeReference node)");
        writer.Line("    : base(node)");
        writer.Line("{");
        writer.Line("}");
        var scope = new NameScope(Names.ObjectMembers);
        foreach (var reserved in HandleReserved)
        {
            scope.Reserve(reserved);
        }

        foreach (var output in node.Outputs)
        {
            var property = scope.Claim(Names.Pascal(output.Name), "Output");
            var index = Literals.Invariant(output.Index);
            var valueType = OutputValueType(output.Type);
            string type, getter;
            if (valueType is not null)
            {
                type = (output.IsList ? Sdk + "ListOutput<" : Sdk + "Output<") + valueType + ">";
                getter = (output.IsList ? "GetListOutput<" : "GetOutput<") + valueType + ">(" + index + ")";
            }
            else
            {
                type = Sdk + "Output";
                getter = "GetAnyOutput(" + index + ")";
            }

            writer.Line();
            var about = $"The {Docs.Code(output.Name)} output (type {Docs.Code(output.Type)}, slot {index}).";
            Docs.Element(writer, "summary", Docs.Sentences(new[]
            {
                about,
                output.Tooltip is { Length: > 0 } tooltip ? Docs.Escape(tooltip) : null,
                output.IsList ? "A list: a node it links to runs once per item." : null,
                valueType is not null ? null : "Its type is decided by the inputs: link it anywhere, or say what it is with <c>As&lt;T&gt;()</c>.",
            }));
            writer.Line($"public {type} {property} => {getter};");
        }

        writer.Close();
    }

    /// <summary>The <c>T</c> of an output's <c>Output&lt;T&gt;</c>, or <see langword="null"/> for an output of any type.</summary>
    private string? OutputValueType(string type) => type switch
    {
        "INT" => "long",
        "FLOAT" => "double",
        "STRING" => "string",
        "BOOLEAN" => "bool",
        _ => TypePlan.IsMarkerType(type) ? Marker(type) : null,
    };

    /// <summary>Writes the option classes of a dynamic combo: an abstract base named <paramref name="baseName"/> and one class per option.</summary>
    public void WriteDynamicCombo(CodeWriter writer, string baseName, string property, NodeInputSchema input)
    {
        Docs.Element(writer, "summary",
            $"The options of <see cref=\"{property}\"/>: choose one by creating it (<c>new {baseName}.…()</c>); each option brings its own inputs.");
        writer.Open($"public abstract class {baseName} : {Sdk}DynamicComboOption");
        writer.Line($"private {baseName}(string key)");
        writer.Line("    : base(key)");
        writer.Line("{");
        writer.Line("}");
        var names = OptionNames(baseName, input);
        for (var i = 0; i < input.DynamicOptions.Count; i++)
        {
            var option = input.DynamicOptions[i];
            var name = names[i];
            var scope = new NameScope(Names.ObjectMembers);
            scope.Reserve(name);
            scope.Reserve(baseName);
            foreach (var reserved in OptionReserved)
            {
                scope.Reserve(reserved);
            }

            var members = new InputMembers(this, option.Inputs, scope);
            writer.Line();
            Docs.Element(writer, "summary", $"The option {Docs.Code(option.Key)}" + (option.Inputs.Count == 0 ? " (no inputs of its own)." : ", with its inputs."));
            writer.Open($"public sealed class {name} : {baseName}");
            Docs.Element(writer, "summary", $"Chooses {Docs.Code(option.Key)}.");
            writer.Line($"public {name}()");
            writer.Line($"    : base({Literals.String(option.Key)})");
            writer.Line("{");
            writer.Line("}");
            members.WriteProperties(writer);
            writer.Line();
            writer.Line("/// <inheritdoc/>");
            writer.Open($"protected override void WriteInputs({Sdk}NodeInputWriter writer)");
            members.WriteStatements(writer);
            writer.Close();
            members.WriteNestedTypes(writer);
            writer.Close();
        }

        writer.Close();
    }

    /// <summary>The initializer that chooses the default option, when that option needs nothing set; else <see langword="null"/>.</summary>
    public static string? DefaultOption(string baseName, NodeInputSchema input, string key)
    {
        var names = OptionNames(baseName, input);
        for (var i = 0; i < input.DynamicOptions.Count; i++)
        {
            if (input.DynamicOptions[i].Key == key)
            {
                foreach (var nested in input.DynamicOptions[i].Inputs)
                {
                    if (InputShapes.MustBeSet(nested))
                    {
                        return null;
                    }
                }

                return $"new {baseName}.{names[i]}()";
            }
        }

        return null;
    }

    private static List<string> OptionNames(string baseName, NodeInputSchema input)
    {
        var scope = new NameScope(Names.ObjectMembers);
        scope.Reserve(baseName);
        foreach (var reserved in OptionReserved)
        {
            scope.Reserve(reserved);
        }

        var names = new List<string>();
        foreach (var option in input.DynamicOptions)
        {
            names.Add(scope.Claim(Names.Pascal(option.Key), "Option"));
        }

        return names;
    }

    private static string Attribute(NodeClassSchema node)
    {
        var parts = new List<string> { Literals.String(node.ClassType) };
        if (node.DisplayName != node.ClassType)
        {
            parts.Add("DisplayName = " + Literals.String(node.DisplayName));
        }

        if (node.Category is { } category)
        {
            parts.Add("Category = " + Literals.String(category));
        }

        if (node.PythonModule is { } module)
        {
            parts.Add("PythonModule = " + Literals.String(module));
        }

        AddFlag(parts, "OutputNode", node.IsOutputNode);
        AddFlag(parts, "Deprecated", node.IsDeprecated);
        AddFlag(parts, "Experimental", node.IsExperimental);
        AddFlag(parts, "ApiNode", node.IsApiNode);
        AddFlag(parts, "DevOnly", node.IsDevOnly);
        return $"[{Sdk}ComfyNode({string.Join(", ", parts)})]";
    }

    private static void AddFlag(List<string> parts, string name, bool value)
    {
        if (value)
        {
            parts.Add(name + " = true");
        }
    }
}
