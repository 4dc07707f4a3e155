using System.Globalization;
using System.Text.Json;
using ComfyUI.Client.Generators.CodeGen.Naming;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>
/// The members a list of inputs becomes inside a class (a node class, or an option of a dynamic combo): one property per input,
/// the <c>WriteInputs</c> override that puts them into the prompt, and the nested types they need (a struct per combo, an option class
/// family per dynamic combo).
/// </summary>
internal sealed class InputMembers
{
    public const string Sdk = "global::ComfyUI.Client.";
    private const string ReadOnlyList = "global::System.Collections.Generic.IReadOnlyList<";

    private readonly Emitter _emitter;
    private readonly List<Member> _members = new();

    /// <summary>Plans the names of the members in <paramref name="scope"/> (which already holds the class's reserved names).</summary>
    public InputMembers(Emitter emitter, IReadOnlyList<NodeInputSchema> inputs, NameScope scope)
    {
        _emitter = emitter;
        foreach (var input in inputs)
        {
            _members.Add(new Member(input, InputShapes.Of(input), scope.Claim(Names.Pascal(InputShapes.LocalName(input)), "Input")));
        }

        // Nested types after every property, so a property keeps its name whatever types follow.
        foreach (var member in _members)
        {
            if (member.Shape == InputShape.Combo || (member.Shape == InputShape.Autogrow && member.Template is { } template && InputShapes.Of(template) == InputShape.Combo))
            {
                member.NestedType = scope.Claim(member.Property + "Choice");
            }
            else if (member.Shape == InputShape.DynamicCombo)
            {
                member.NestedType = scope.Claim(member.Property + "Option");
            }
        }
    }

    /// <summary>Writes the properties.</summary>
    public void WriteProperties(CodeWriter writer)
    {
        foreach (var member in _members)
        {
            var input = member.Input;
            var type = TypeOf(input, member.Shape, member.NestedType);
            var initializer = Initializer(member);
            var required = initializer is null && InputShapes.MustBeSet(input);
            var nullable = initializer is null && !required;
            writer.Line();
            Docs.Element(writer, "summary", input.Tooltip is { Length: > 0 } tooltip ? Docs.Escape(tooltip) : $"The {Docs.Code(input.Name)} input.");
            Docs.Element(writer, "remarks", Remarks(member, required, initializer is not null));
            writer.Line($"public {(required ? "required " : "")}{type}{(nullable ? "?" : "")} {member.Property} {{ get; set; }}{(initializer is null ? "" : " = " + initializer + ";")}");
        }
    }

    /// <summary>Writes the statements of <c>WriteInputs(writer)</c>, in the server's input order.</summary>
    public void WriteStatements(CodeWriter writer)
    {
        foreach (var member in _members)
        {
            var input = member.Input;
            var name = Literals.String(input.Name);
            switch (member.Shape)
            {
                case InputShape.Combo:
                    writer.Line(input.Multiselect ? $"writer.WriteComboList({name}, {member.Property});" : $"writer.WriteCombo({name}, {member.Property});");
                    break;
                case InputShape.DynamicCombo:
                    writer.Line($"writer.WriteOption({name}, {member.Property});");
                    break;
                case InputShape.Autogrow:
                    var autogrow = input.Autogrow!;
                    var slots = autogrow.Names.Count > 0
                        ? "null, new[] { " + string.Join(", ", autogrow.Names.Select(Literals.String)) + " }"
                        : Literals.String(autogrow.Prefix ?? InputShapes.LocalName(member.Template!)) + ", null";
                    var write = member.Template is { } template && InputShapes.Of(template) == InputShape.Combo ? "WriteCombo" : "Write";
                    writer.Line($"writer.WriteAutogrow({name}, {member.Property}, {slots}, {Literals.Invariant(InputShapes.MinItems(input))}, {Literals.Invariant(InputShapes.MaxItems(input))}, static (w, slot, item) => w.{write}(slot, item));");
                    break;
                default:
                    writer.Line($"writer.Write({name}, {member.Property});");
                    break;
            }
        }
    }

    /// <summary>Writes the nested types (combo structs, dynamic-combo option classes).</summary>
    public void WriteNestedTypes(CodeWriter writer)
    {
        foreach (var member in _members)
        {
            if (member.NestedType is null)
            {
                continue;
            }

            writer.Line();
            if (member.Shape == InputShape.DynamicCombo)
            {
                _emitter.WriteDynamicCombo(writer, member.NestedType, member.Property, member.Input);
            }
            else
            {
                ComboStruct.Write(writer, _emitter, member.NestedType, member.Property, member.Shape == InputShape.Autogrow ? member.Template! : member.Input);
            }
        }
    }

    private string TypeOf(NodeInputSchema input, InputShape shape, string? nestedType)
    {
        switch (shape)
        {
            case InputShape.Int: return Sdk + (InputShapes.IsUnsigned(input) ? "Input<ulong>" : "Input<long>");
            case InputShape.Float: return Sdk + "Input<double>";
            case InputShape.String: return Sdk + "Input<string>";
            case InputShape.Boolean: return Sdk + "Input<bool>";
            case InputShape.Combo: return input.Multiselect ? ReadOnlyList + nestedType + ">" : nestedType!;
            case InputShape.Link: return Sdk + "Output<" + _emitter.Marker(input.Type) + ">";
            case InputShape.LinkOrJson: return Sdk + "Input<" + _emitter.Marker(input.Type) + ">";
            case InputShape.Autogrow:
                var template = InputShapes.TemplateOf(input);
                return ReadOnlyList + (template is null ? Sdk + "Output" : TypeOf(template, InputShapes.Of(template), nestedType)) + ">";
            case InputShape.DynamicCombo: return nestedType!;
            default: return Sdk + "Output";
        }
    }

    /// <summary>The initializer of a required input that has a default (so it is always sent), or <see langword="null"/>.</summary>
    private string? Initializer(Member member)
    {
        var input = member.Input;
        if (!input.IsRequired || InputShapes.DefaultOf(input) is not { } value)
        {
            return null;
        }

        switch (member.Shape)
        {
            case InputShape.Int: return Literals.Integer(value, InputShapes.IsUnsigned(input));
            case InputShape.Float: return Literals.Double(value);
            case InputShape.String: return Literals.Text(value);
            case InputShape.Boolean: return Literals.Boolean(value);
            case InputShape.Combo when !input.Multiselect && value.ValueKind is JsonValueKind.String or JsonValueKind.Number:
                return $"new {member.NestedType}({ComboStruct.ValueOf(value)})";
            case InputShape.LinkOrJson:
                return $"{Sdk}Input<{_emitter.Marker(input.Type)}>.FromJson({Literals.String(Literals.Json(value))})";
            case InputShape.DynamicCombo when value.ValueKind == JsonValueKind.String:
                return Emitter.DefaultOption(member.NestedType!, input, value.GetString()!);
            default: return null;
        }
    }

    private static string Remarks(Member member, bool required, bool hasInitializer)
    {
        var input = member.Input;
        var parts = new List<string?> { "Type " + Docs.Code(input.Type) + "." };
        if (InputShapes.DefaultOf(input) is { } value)
        {
            parts.Add("Default: " + Docs.Code(Literals.ChoiceText(value)) + ".");
        }

        parts.Add(Range(input, member.Shape));
        if (input.Multiline)
        {
            parts.Add("Multi-line text.");
        }

        if (member.Shape == InputShape.Combo)
        {
            parts.Add(Choices(InputShapes.ChoicesOf(input).Select(Literals.ChoiceText).ToList()));
        }
        else if (member.Shape == InputShape.DynamicCombo)
        {
            parts.Add(Choices(input.DynamicOptions.Select(o => o.Key).ToList()));
        }

        if (member.Shape == InputShape.Autogrow)
        {
            var autogrow = input.Autogrow!;
            var first = autogrow.Names.Count > 0 ? autogrow.Names[0] : (autogrow.Prefix ?? "") + "0";
            parts.Add($"A list of {Literals.Invariant(InputShapes.MinItems(input))} to {Literals.Invariant(InputShapes.MaxItems(input))} items, sent as {Docs.Code(input.Name + "." + first)}, ….");
            if (member.Template is { } template)
            {
                parts.Add("Each item: " + Docs.Code(template.Type) + "." + (template.Tooltip is { Length: > 0 } tip ? " " + Docs.Escape(tip) : ""));
            }
        }

        parts.Add(member.Shape switch
        {
            InputShape.Int or InputShape.Float or InputShape.String or InputShape.Boolean => "A literal, or a link from an output of this type.",
            InputShape.LinkOrJson => "A link from an output of this type, or a JSON literal (Input.FromJson).",
            InputShape.Any => "Takes an output of any type.",
            _ => null,
        });
        parts.Add(required ? "Required: must be set." : hasInitializer ? "Required; starts at the default." : "Optional: left out of the prompt when not set.");
        return Docs.Sentences(parts);
    }

    private static string? Range(NodeInputSchema input, InputShape shape)
    {
        if (shape is not (InputShape.Int or InputShape.Float))
        {
            return null;
        }

        var step = input.Step is { } s ? ", step " + Literals.Number(s) : "";
        return (input.Min, input.Max) switch
        {
            (null, null) => input.Step is { } only ? "Step " + Literals.Number(only) + "." : null,
            ({ } min, null) => $"Minimum {Literals.Number(min)}{step}.",
            (null, { } max) => $"Maximum {Literals.Number(max)}{step}.",
            ({ } min, { } max) => $"Range {Literals.Number(min)} to {Literals.Number(max)}{step}.",
        };
    }

    private static string? Choices(List<string> choices)
    {
        if (choices.Count == 0)
        {
            return null;
        }

        var shown = choices.Take(Docs.MaxChoicesShown).Select(Docs.Code);
        var more = choices.Count > Docs.MaxChoicesShown ? string.Format(CultureInfo.InvariantCulture, ", … ({0} in all)", choices.Count) : "";
        return "Choices: " + string.Join(", ", shown) + more + ".";
    }

    private sealed class Member
    {
        public Member(NodeInputSchema input, InputShape shape, string property)
        {
            Input = input;
            Shape = shape;
            Property = property;
            Template = shape == InputShape.Autogrow ? InputShapes.TemplateOf(input) : null;
        }

        public NodeInputSchema Input { get; }

        public InputShape Shape { get; }

        public string Property { get; }

        public NodeInputSchema? Template { get; }

        public string? NestedType { get; set; }
    }
}
