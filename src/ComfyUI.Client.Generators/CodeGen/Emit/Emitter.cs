using System.Collections.Generic;
using ComfyUI.Client.Generators.CodeGen.Naming;
using ComfyUI.Client.Generators.CodeGen.Schema;

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

    public void WriteNode(CodeWriter writer, NodeModel node)
    {
        var name = _plan.ClassOf(node.Name);
        var scope = new NameScope(Names.ObjectMembers);
        scope.Reserve(name);
        foreach (var reserved in NodeReserved)
        {
            scope.Reserve(reserved);
        }

        var members = new InputMembers(this, node.Inputs, scope);

        var summary = Docs.Code(node.Name) + (node.DisplayName != node.Name ? " (" + Docs.Escape(node.DisplayName) + ")" : "") + "."
            + (node.Description.Length > 0 ? "\n" + Docs.Escape(node.Description) : "");
        Docs.Element(writer, "summary", summary);
        Docs.Element(writer, "remarks", Docs.Sentences(new[]
        {
            node.Category is { Length: > 0 } category ? "Category " + Docs.Code(category) + "." : null,
            node.PythonModule is { Length: > 0 } module ? "Module " + Docs.Code(module) + "." : null,
            node.OutputNode ? "An output node: a workflow runs the nodes it needs." : null,
            node.Deprecated ? "Deprecated." : null,
            node.Experimental ? "Experimental." : null,
            node.ApiNode ? "An API node: it calls a paid service." : null,
            node.DevOnly ? "For development only." : null,
        }));
        writer.Line(Attribute(node));
        writer.Open($"public sealed partial class {name} : {Sdk}TypedNode<{name}.Outputs>");
        Docs.Element(writer, "summary", $"Creates a {Docs.Code(node.Name)} node: set its inputs, then add it to a <see cref=\"{Sdk}WorkflowBuilder\"/>.");
        writer.Line($"public {name}()");
        writer.Line($"    : base({Literals.String(node.Name)}, {(node.OutputNode ? "true" : "false")})");
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

    private void WriteHandle(CodeWriter writer, NodeModel node)
    {
        Docs.Element(writer, "summary",
            $"A {Docs.Code(node.Name)} node in a workflow, as <see cref=\"{Sdk}WorkflowBuilder\"/> hands it out: its outputs, to link into inputs of later nodes.");
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
    public void WriteDynamicCombo(CodeWriter writer, string baseName, string property, InputModel input)
    {
        Docs.Element(writer, "summary",
            $"The options of <see cref=\"{property}\"/>: choose one by creating it (<c>new {baseName}.…()</c>); each option brings its own inputs.");
        writer.Open($"public abstract class {baseName} : {Sdk}DynamicComboOption");
        writer.Line($"private {baseName}(string key)");
        writer.Line("    : base(key)");
        writer.Line("{");
        writer.Line("}");
        var names = OptionNames(baseName, input);
        for (var i = 0; i < input.Options.Count; i++)
        {
            var option = input.Options[i];
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
    public static string? DefaultOption(string baseName, InputModel input, string key)
    {
        var names = OptionNames(baseName, input);
        for (var i = 0; i < input.Options.Count; i++)
        {
            if (input.Options[i].Key == key)
            {
                foreach (var nested in input.Options[i].Inputs)
                {
                    if (nested.MustBeSet)
                    {
                        return null;
                    }
                }

                return $"new {baseName}.{names[i]}()";
            }
        }

        return null;
    }

    private static List<string> OptionNames(string baseName, InputModel input)
    {
        var scope = new NameScope(Names.ObjectMembers);
        scope.Reserve(baseName);
        foreach (var reserved in OptionReserved)
        {
            scope.Reserve(reserved);
        }

        var names = new List<string>();
        foreach (var option in input.Options)
        {
            names.Add(scope.Claim(Names.Pascal(option.Key), "Option"));
        }

        return names;
    }

    private static string Attribute(NodeModel node)
    {
        var parts = new List<string> { Literals.String(node.Name) };
        if (node.DisplayName != node.Name)
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

        AddFlag(parts, "OutputNode", node.OutputNode);
        AddFlag(parts, "Deprecated", node.Deprecated);
        AddFlag(parts, "Experimental", node.Experimental);
        AddFlag(parts, "ApiNode", node.ApiNode);
        AddFlag(parts, "DevOnly", node.DevOnly);
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
