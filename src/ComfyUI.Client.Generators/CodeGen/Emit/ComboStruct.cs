using System.Text.Json;
using ComfyUI.Client.Generators.CodeGen.Naming;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>
/// The struct of a combo input: its known choices as static members (<c>KSampler.SamplerNameChoice.Euler</c>), an implicit conversion
/// from text (model lists differ between servers) and one from a <c>COMBO</c> output.
/// </summary>
internal static class ComboStruct
{
    private const string ComboValue = InputMembers.Sdk + "ComboValue";

    public static void Write(CodeWriter writer, Emitter emitter, string name, string property, NodeInputSchema input)
    {
        Docs.Element(writer, "summary",
            $"A value of <see cref=\"{property}\"/>: one of the choices below, any other text the server offers (choices such as model names differ between servers), or a link from a {Docs.Code("COMBO")} output.");
        writer.Open($"public readonly struct {name} : {InputMembers.Sdk}IComboInput");
        writer.Line($"private readonly {ComboValue} _value;");
        writer.Line();
        writer.Line($"internal {name}({ComboValue} value) => _value = value;");

        var scope = new NameScope(Names.ObjectMembers);
        scope.Reserve(name);
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var integral = false;
        foreach (var choice in InputShapes.ChoicesOf(input))
        {
            var text = Literals.ChoiceText(choice);
            if (!seen.Add((choice.ValueKind == JsonValueKind.String ? "s:" : "j:") + text))
            {
                continue;
            }

            integral |= choice.ValueKind == JsonValueKind.Number && Literals.Integer(choice, unsigned: false) is not null;
            writer.Line();
            Docs.Element(writer, "summary", Docs.Code(text));
            writer.Line($"public static {name} {scope.Claim(Names.Pascal(text))} => new {name}({ValueOf(choice)});");
        }

        writer.Line();
        writer.Line($"{ComboValue} {InputMembers.Sdk}IComboInput.Value => _value;");
        writer.Line();
        Docs.Element(writer, "summary", "A choice by its text (any choice the server offers, including ones this code was not generated with).");
        writer.Line("/// <param name=\"value\">The text of the choice.</param>");
        writer.Line($"public static implicit operator {name}(string value) => new {name}({ComboValue}.Text(value));");
        if (integral)
        {
            writer.Line();
            Docs.Element(writer, "summary", "A numeric choice.");
            writer.Line("/// <param name=\"value\">The number.</param>");
            writer.Line($"public static implicit operator {name}(long value) => new {name}({ComboValue}.Number(value));");
        }

        writer.Line();
        Docs.Element(writer, "summary", $"A link from a {Docs.Code("COMBO")} output of another node.");
        writer.Line("/// <param name=\"link\">The output.</param>");
        writer.Line($"public static implicit operator {name}({InputMembers.Sdk}Output<{emitter.Marker("COMBO")}> link) => new {name}({ComboValue}.FromLink(link));");
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line("public override string ToString() => _value.ToString();");
        writer.Close();
    }

    /// <summary>The <c>ComboValue</c> expression of a choice: text for a string, JSON for a number.</summary>
    public static string ValueOf(JsonElement choice) =>
        choice.ValueKind == JsonValueKind.String
            ? $"{ComboValue}.Text({Literals.String(choice.GetString()!)})"
            : $"{ComboValue}.Json({Literals.String(Literals.Json(choice))})";
}
