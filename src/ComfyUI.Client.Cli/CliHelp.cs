using System.CommandLine;
using System.CommandLine.Invocation;

namespace ComfyUI.Client.Cli;

/// <summary>
/// System.CommandLine's help, with the list of commands showing each argument as it is used: <c>[&lt;prompt-id&gt;]</c> when it may be
/// left out, <c>&lt;prompt-id&gt;...</c> when it repeats (System.CommandLine shows every argument as required there).
/// </summary>
internal static class CliHelp
{
    /// <summary>Writes the help that <paramref name="helpRequest"/> asks for (a parse of <c>… --help</c>) to <paramref name="stdout"/>.</summary>
    public static int Write(ParseResult helpRequest, TextWriter stdout)
    {
        using var text = new StringWriter();
        helpRequest.Invoke(new InvocationConfiguration { Output = text, Error = text });
        foreach (var line in WithArgumentArity(text.ToString(), helpRequest.CommandResult.Command))
        {
            stdout.WriteLine(line);
        }

        return ExitCodes.Success;
    }

    /// <summary>How an argument is written in a usage line.</summary>
    public static string Label(Argument argument)
    {
        var label = "<" + (argument.HelpName ?? argument.Name) + ">";
        if (argument.Arity.MaximumNumberOfValues > 1)
        {
            label += "...";
        }

        return argument.Arity.MinimumNumberOfValues == 0 ? "[" + label + "]" : label;
    }

    private static string[] WithArgumentArity(string help, Command command)
    {
        var lines = help.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        var start = Array.IndexOf(lines, "Commands:");
        if (start < 0)
        {
            return lines;
        }

        var end = Array.FindIndex(lines, start + 1, line => line.Length == 0);
        end = end < 0 ? lines.Length : end;
        var rows = command.Subcommands.Where(c => !c.Hidden)
            .Select(c => (Label: string.Join(' ', [c.Name, .. c.Arguments.Where(a => !a.Hidden).Select(Label)]), c.Description))
            .ToList();
        var width = rows.Max(r => r.Label.Length) + 2;
        return [.. lines[..(start + 1)], .. rows.Select(r => ("  " + r.Label.PadRight(width) + r.Description).TrimEnd()), .. lines[end..]];
    }
}
