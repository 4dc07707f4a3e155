using System;
using System.Collections.Generic;

namespace ComfyUI.Client.Generators.CodeGen;

/// <summary>
/// Which node classes to generate. Entries are separated by ',', ';' or white space; a class is taken when any entry matches:
/// <list type="bullet">
/// <item><c>KSampler</c> or <c>class:KSampler</c>: the class name, exactly; a trailing <c>*</c> matches a prefix (<c>Load*</c>).</item>
/// <item><c>module:comfy_extras.nodes_images</c>: the <c>python_module</c> or a module under it (<c>module:comfy_extras</c>).</item>
/// <item><c>category:image</c>: the category or one under it (<c>image</c>, <c>image/transform</c>).</item>
/// </list>
/// An empty filter takes every class.
/// </summary>
internal sealed class NodeFilter
{
    private static readonly char[] Separators = { ',', ';', ' ', '\t', '\r', '\n' };
    private readonly List<(string Kind, string Value)> _entries = new();

    private NodeFilter()
    {
    }

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Parses a filter.</summary>
    /// <exception cref="FormatException">An entry has an unknown kind; the message lists the kinds.</exception>
    public static NodeFilter Parse(string? text)
    {
        var filter = new NodeFilter();
        foreach (var raw in (text ?? "").Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = raw.IndexOf(':');
            var kind = colon < 0 ? "class" : raw.Substring(0, colon);
            var value = colon < 0 ? raw : raw.Substring(colon + 1);
            if (kind is not ("class" or "module" or "category"))
            {
                throw new FormatException($"Unknown filter '{raw}': use a class name (KSampler, Load*), module:<python_module> or category:<category>.");
            }

            if (value.Length == 0)
            {
                throw new FormatException($"The filter '{raw}' names nothing after '{kind}:'.");
            }

            filter._entries.Add((kind, value));
        }

        return filter;
    }

    public bool Matches(NodeClassSchema node)
    {
        if (IsEmpty)
        {
            return true;
        }

        foreach (var (kind, value) in _entries)
        {
            if (Matches(kind, value, node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The entries that match none of <paramref name="nodes"/> (probably misspelt).</summary>
    public List<string> Unmatched(IReadOnlyList<NodeClassSchema> nodes)
    {
        var result = new List<string>();
        foreach (var (kind, value) in _entries)
        {
            var any = false;
            foreach (var node in nodes)
            {
                if (Matches(kind, value, node))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                result.Add(kind == "class" ? value : kind + ":" + value);
            }
        }

        return result;
    }

    private static bool Matches(string kind, string value, NodeClassSchema node) => kind switch
    {
        "module" => IsUnder(node.PythonModule, value, '.'),
        "category" => IsUnder(node.Category, value, '/'),
        _ => value.EndsWith("*", StringComparison.Ordinal)
            ? node.ClassType.StartsWith(value.Substring(0, value.Length - 1), StringComparison.Ordinal)
            : string.Equals(node.ClassType, value, StringComparison.Ordinal),
    };

    private static bool IsUnder(string? actual, string value, char separator) =>
        actual is not null
        && (string.Equals(actual, value, StringComparison.Ordinal)
            || (actual.Length > value.Length && actual[value.Length] == separator && actual.StartsWith(value, StringComparison.Ordinal)));
}
