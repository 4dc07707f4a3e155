using System.Text;

namespace ComfyUI.Client.Testing.Execution;

/// <summary>
/// The user names of POST /users, as ComfyUI keeps them without --multi-user: "default" plus the names added since the start
/// (a restart forgets them). Names are unique as given; ids are the name with runs of other characters than ASCII letters,
/// digits, '-' and '_' made one '-', then '_' and a new GUID.
/// </summary>
internal sealed class UserRegistry
{
    private const string SystemUserPrefix = "__";
    private readonly object gate = new();
    private readonly Dictionary<string, string> names = new(StringComparer.Ordinal) { ["default"] = "default" };

    /// <summary>Adds a user; the new id, or the real server's error text (answered with 400).</summary>
    public (string? Id, string? Error) Add(string username)
    {
        lock (gate)
        {
            // The real server compares the name as sent with the stored (trimmed) names, then trims it.
            if (names.ContainsValue(username))
            {
                return (null, "Duplicate username.");
            }

            var name = username.Trim();
            if (name.Length == 0)
            {
                return (null, "username not provided");
            }

            var id = Sanitize(name);
            if (name.StartsWith(SystemUserPrefix, StringComparison.Ordinal) || id.StartsWith(SystemUserPrefix, StringComparison.Ordinal))
            {
                return (null, "System User prefix not allowed");
            }

            id += "_" + Guid.NewGuid();
            names[id] = name;
            return (id, null);
        }
    }

    /// <summary>Back to "default" only (a restart).</summary>
    public void Reset()
    {
        lock (gate)
        {
            names.Clear();
            names["default"] = "default";
        }
    }

    private static string Sanitize(string name)
    {
        var id = new StringBuilder(name.Length);
        var inRun = false;
        foreach (var c in name)
        {
            var allowed = char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
            if (allowed)
            {
                id.Append(c);
            }
            else if (!inRun)
            {
                id.Append('-');
            }

            inRun = !allowed;
        }

        return id.ToString();
    }
}
