using System;
using System.Collections.Generic;

namespace ComfyUI.Client.Generators.CodeGen;

/// <summary>What to generate: the namespace and which node classes.</summary>
internal sealed class CodeGenOptions : IEquatable<CodeGenOptions>
{
    /// <summary>The namespace of <c>comfyui codegen</c> when none is given.</summary>
    public const string DefaultNamespace = "ComfyUI.Nodes";

    public CodeGenOptions(string? @namespace, string? only)
    {
        Namespace = string.IsNullOrWhiteSpace(@namespace) ? DefaultNamespace : @namespace!.Trim();
        Only = only?.Trim() ?? "";
    }

    /// <summary>The namespace of the generated types.</summary>
    public string Namespace { get; }

    /// <summary>The filter (see <see cref="NodeFilter"/>); empty for every class.</summary>
    public string Only { get; }

    public bool Equals(CodeGenOptions? other) =>
        other is not null && string.Equals(Namespace, other.Namespace, StringComparison.Ordinal) && string.Equals(Only, other.Only, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as CodeGenOptions);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Namespace) * 31 + StringComparer.Ordinal.GetHashCode(Only);

    /// <summary>Whether <paramref name="name"/> is a valid dotted C# namespace.</summary>
    public static bool IsValidNamespace(string name)
    {
        foreach (var part in name.Split('.'))
        {
            if (part.Length == 0 || !(char.IsLetter(part[0]) || part[0] == '_'))
            {
                return false;
            }

            foreach (var c in part)
            {
                if (!(char.IsLetterOrDigit(c) || c == '_'))
                {
                    return false;
                }
            }

            if (Keywords.Contains(part))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue", "decimal",
        "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally", "fixed", "float", "for",
        "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null",
        "object", "operator", "out", "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte",
        "sealed", "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };
}
