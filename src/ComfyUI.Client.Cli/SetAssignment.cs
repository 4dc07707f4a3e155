using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyUI.Client.Cli;

/// <summary>
/// One <c>--set NODE.INPUT=VALUE</c>. NODE is a node id or a <c>_meta.title</c>; node ids, titles and input names may themselves contain
/// dots, so every split is tried and the one naming an existing node and input wins. VALUE is typed: integers (up to 2^64−1), decimals,
/// <c>true</c>/<c>false</c>, JSON (<c>[…]</c>, <c>{…}</c>, <c>"…"</c>), and anything else as a string.
/// </summary>
internal static class SetAssignment
{
    public static void Apply(Workflow workflow, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new CliUsageException($"--set '{assignment}' must look like NODE.INPUT=VALUE.");
        }

        var target = assignment[..equals];
        var value = assignment[(equals + 1)..];
        var node = Resolve(workflow, target, out var input);
        Assign(node, input, value);
    }

    private static WorkflowNode Resolve(Workflow workflow, string target, out string input)
    {
        WorkflowNode? nodeWithoutInput = null;
        for (var dot = target.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = target.IndexOf('.', dot + 1))
        {
            var nodeName = target[..dot];
            var inputName = target[(dot + 1)..];
            if (inputName.Length == 0)
            {
                continue;
            }

            var node = Find(workflow, nodeName);
            if (node is null)
            {
                continue;
            }

            if (node.HasInput(inputName))
            {
                input = inputName;
                return node;
            }

            nodeWithoutInput ??= node;
        }

        if (nodeWithoutInput is not null)
        {
            throw new CliUsageException(
                $"--set '{target}': node {nodeWithoutInput.Id} ({nodeWithoutInput.ClassType}) has no such input. Its inputs: {string.Join(", ", nodeWithoutInput.InputNames)}.");
        }

        throw new CliUsageException($"--set '{target}': no node with that id or title. Nodes: {string.Join(", ", workflow.Nodes.Select(n => n.Title is null ? n.Id : $"{n.Id} \"{n.Title}\""))}.");
    }

    private static WorkflowNode? Find(Workflow workflow, string idOrTitle)
    {
        if (workflow.TryGetNode(idOrTitle, out var byId))
        {
            return byId;
        }

        var byTitle = workflow.NodesByTitle(idOrTitle).ToArray();
        return byTitle.Length switch
        {
            1 => byTitle[0],
            0 => null,
            _ => throw new CliUsageException($"--set: several nodes are titled '{idOrTitle}'; use a node id ({string.Join(", ", byTitle.Select(n => n.Id))})."),
        };
    }

    /// <summary>Writes the value with the type it reads as.</summary>
    public static void Assign(WorkflowNode node, string input, string value)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            node.Set(input, integer);
        }
        else if (ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var big))
        {
            node.Set(input, big);
        }
        else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            node.Set(input, real);
        }
        else if (value is "true" or "false")
        {
            node.Set(input, value == "true");
        }
        else if (value.Length > 0 && value[0] is '[' or '{' or '"')
        {
            try
            {
                node.Set(input, JsonNode.Parse(value)!);
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"--set {node.Id}.{input}: '{value}' is not valid JSON ({ex.Message}).");
            }
        }
        else
        {
            node.Set(input, value);
        }
    }
}
