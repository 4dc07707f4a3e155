using System.Collections.Generic;
using System.Globalization;
using ComfyUI.Client.Generators.CodeGen.Json;
using ComfyUI.Client.Generators.CodeGen.Naming;
using ComfyUI.Client.Generators.CodeGen.Schema;

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
    public InputMembers(Emitter emitter, IReadOnlyList<InputModel> inputs, NameScope scope)
    {
        _emitter = emitter;
        foreach (var input in inputs)
        {
            _members.Add(new Member(input, scope.Claim(Names.Pascal(input.Name), "Input")));
        }

        // Nested types after every property, so a property keeps its name whatever types follow.
        foreach (var member in _members)
        {
            var shape = member.Input.Shape == InputShape.Autogrow ? member.Input.Template?.Shape : member.Input.Shape;
            if (shape == InputShape.Combo)
            {
                member.NestedType = scope.Claim(member.Property + "Choice");
            }
            else if (shape == InputShape.DynamicCombo && member.Input.Shape == InputShape.DynamicCombo)
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
            var type = TypeOf(input, member.NestedType);
            var initializer = Initializer(member);
            var required = initializer is null && input.MustBeSet;
            var nullable = initializer is null && !required;
            writer.Line();
            Docs.Element(writer, "summary", input.Tooltip is { Length: > 0 } tooltip ? Docs.Escape(tooltip) : $"The {Docs.Code(input.Name)} input.");
            Docs.Element(writer, "remarks", Remarks(input, required, initializer is not null));
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
            switch (input.Shape)
            {
                case InputShape.Combo:
                    writer.Line(input.Multiselect ? $"writer.WriteComboList({name}, {member.Property});" : $"writer.WriteCombo({name}, {member.Property});");
                    break;
                case InputShape.DynamicCombo:
                    writer.Line($"writer.WriteOption({name}, {member.Property});");
                    break;
                case InputShape.Autogrow:
                    var template = input.Template!;
                    var slots = input.SlotNames is { } names
                        ? "null, new[] { " + string.Join(", ", names.ConvertAll(Literals.String)) + " }"
                        : Literals.String(input.Prefix ?? template.Name) + ", null";
                    var write = template.Shape == InputShape.Combo ? "WriteCombo" : "Write";
                    writer.Line($"writer.WriteAutogrow({name}, {member.Property}, {slots}, {Literals.Invariant(input.MinCount)}, {Literals.Invariant(input.MaxCount)}, static (w, slot, item) => w.{write}(slot, item));");
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

            var input = member.Input.Shape == InputShape.Autogrow ? member.Input.Template! : member.Input;
            writer.Line();
            if (input.Shape == InputShape.Combo)
            {
                ComboStruct.Write(writer, _emitter, member.NestedType, member.Property, input);
            }
            else
            {
                _emitter.WriteDynamicCombo(writer, member.NestedType, member.Property, input);
            }
        }
    }

    private string TypeOf(InputModel input, string? nestedType)
    {
        switch (input.Shape)
        {
            case InputShape.Int: return Sdk + (Literals.NeedsUInt64(input.Max) ? "Input<ulong>" : "Input<long>");
            case InputShape.Float: return Sdk + "Input<double>";
            case InputShape.String: return Sdk + "Input<string>";
            case InputShape.Boolean: return Sdk + "Input<bool>";
            case InputShape.Combo: return input.Multiselect ? ReadOnlyList + nestedType + ">" : nestedType!;
            case InputShape.Link: return Sdk + "Output<" + _emitter.Marker(input.Type) + ">";
            case InputShape.LinkOrJson: return Sdk + "Input<" + _emitter.Marker(input.Type) + ">";
            case InputShape.Autogrow: return ReadOnlyList + TypeOf(input.Template!, nestedType) + ">";
            case InputShape.DynamicCombo: return nestedType!;
            default: return Sdk + "Output";
        }
    }

    /// <summary>The initializer of a required input that has a default (so it is always sent), or <see langword="null"/>.</summary>
    private string? Initializer(Member member)
    {
        var input = member.Input;
        if (!input.Required || input.Default is not { } value)
        {
            return null;
        }

        switch (input.Shape)
        {
            case InputShape.Int: return Literals.Integer(value, Literals.NeedsUInt64(input.Max));
            case InputShape.Float: return Literals.Double(value);
            case InputShape.String: return Literals.Text(value);
            case InputShape.Boolean: return Literals.Boolean(value);
            case InputShape.Combo when !input.Multiselect && value.Kind is JsonKind.String or JsonKind.Number:
                return $"new {member.NestedType}({ComboStruct.ValueOf(value)})";
            case InputShape.LinkOrJson:
                return $"{Sdk}Input<{_emitter.Marker(input.Type)}>.FromJson({Literals.String(Literals.Json(value))})";
            case InputShape.DynamicCombo when value.IsString:
                return Emitter.DefaultOption(member.NestedType!, input, value.Text);
            default: return null;
        }
    }

    private static string Remarks(InputModel input, bool required, bool hasInitializer)
    {
        var parts = new List<string?> { "Type " + Docs.Code(input.Type) + "." };
        if (input.Default is { } value)
        {
            parts.Add("Default: " + Docs.Code(Literals.ChoiceText(value)) + ".");
        }

        parts.Add(Range(input));
        if (input.Multiline)
        {
            parts.Add("Multi-line text.");
        }

        if (input.Shape == InputShape.Combo || input.Shape == InputShape.DynamicCombo)
        {
            parts.Add(Choices(input.Choices));
        }

        if (input.Shape == InputShape.Autogrow)
        {
            var first = input.SlotNames is { Count: > 0 } names ? names[0] : (input.Prefix ?? "") + "0";
            parts.Add($"A list of {Literals.Invariant(input.MinCount)} to {Literals.Invariant(input.MaxCount)} items, sent as {Docs.Code(input.Name + "." + first)}, ….");
            if (input.Template is { } template)
            {
                parts.Add("Each item: " + Docs.Code(template.Type) + "." + (template.Tooltip is { Length: > 0 } tip ? " " + Docs.Escape(tip) : ""));
            }
        }

        parts.Add(input.Shape switch
        {
            InputShape.Int or InputShape.Float or InputShape.String or InputShape.Boolean => "A literal, or a link from an output of this type.",
            InputShape.LinkOrJson => "A link from an output of this type, or a JSON literal (Input.FromJson).",
            InputShape.Any => "Takes an output of any type.",
            _ => null,
        });
        parts.Add(required ? "Required: must be set." : hasInitializer ? "Required; starts at the default." : "Optional: left out of the prompt when not set.");
        return Docs.Sentences(parts);
    }

    private static string? Range(InputModel input)
    {
        if (input.Shape is not (InputShape.Int or InputShape.Float))
        {
            return null;
        }

        var step = input.Step is null ? "" : ", step " + input.Step;
        return (input.Min, input.Max) switch
        {
            (null, null) => input.Step is null ? null : "Step " + input.Step + ".",
            ({ } min, null) => $"Minimum {min}{step}.",
            (null, { } max) => $"Maximum {max}{step}.",
            ({ } min, { } max) => $"Range {min} to {max}{step}.",
        };
    }

    private static string? Choices(List<JsonValue> choices)
    {
        if (choices.Count == 0)
        {
            return null;
        }

        var shown = new List<string>();
        for (var i = 0; i < choices.Count && i < Docs.MaxChoicesShown; i++)
        {
            shown.Add(Docs.Code(Literals.ChoiceText(choices[i])));
        }

        var more = choices.Count > Docs.MaxChoicesShown ? string.Format(CultureInfo.InvariantCulture, ", … ({0} in all)", choices.Count) : "";
        return "Choices: " + string.Join(", ", shown) + more + ".";
    }

    private sealed class Member
    {
        public Member(InputModel input, string property)
        {
            Input = input;
            Property = property;
        }

        public InputModel Input { get; }

        public string Property { get; }

        public string? NestedType { get; set; }
    }
}
