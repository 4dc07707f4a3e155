using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>
/// A <c>POST /prompt</c> answer reduced to what does not depend on the server process: tracebacks emptied, each node's errors and
/// <c>dependent_outputs</c> sorted, the summary's lines sorted (the server takes outputs and inputs in Python set order, which
/// follows each process's hash seed). What else a set order decides (which outputs a node lists when several fail, which linked
/// nodes were reached before a broken link) is not reduced: compare with the answers of two server processes.
/// </summary>
internal static class ServerBody
{
    /// <summary>The canonical text of an answer: <paramref name="status"/> and the body read as Python's json reads it.</summary>
    public static string Canonical(int status, string body) => Canonical(status, body, dropDependentOutputs: false);

    /// <summary>
    /// <see cref="Canonical(int, string)"/> without <c>dependent_outputs</c>: with several failed outputs, which outputs a node lists
    /// follows the order the server took the outputs in.
    /// </summary>
    public static string OrderFree(int status, string body) => Canonical(status, body, dropDependentOutputs: true);

    /// <summary>
    /// <see cref="OrderFree"/>, and without the nodes upstream of a node whose validation stopped with an exception (a broken link),
    /// whatever their own errors: which of them the server validated, and so reports, before it stopped follows its set order. All
    /// three set-order effects the issue names are then reduced.
    /// </summary>
    public static string SetOrderFree(int status, string body, string promptBody)
    {
        var canonical = Canonical(status, body, dropDependentOutputs: true);
        if (status != 400 && status != 200)
        {
            return canonical;
        }

        var answer = (PyDict)PyJson.Parse(canonical[(canonical.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        PyDict? prompt;
        try
        {
            prompt = PyJson.Parse(promptBody) is PyDict b ? (b.Get("prompt") as PyDict ?? b) : null;
        }
        catch (FormatException)
        {
            prompt = null;
        }

        if (prompt is not null && answer.Get("node_errors") is PyDict nodes)
        {
            var aborted = nodes.Items.Where(n => n.Value is PyDict d && d.Get("errors") is PyList errors && errors.Items.OfType<PyDict>()
                .Any(e => e.Get("type")?.Str() is "exception_during_inner_validation" or "exception_during_validation")).Select(n => n.Key).ToHashSet();
            var upstream = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<string>(aborted);
            while (stack.TryPop(out var id))
            {
                if (prompt.Get(id) is PyDict node && node.Get("inputs") is PyDict inputs)
                {
                    foreach (var value in inputs.Items.Select(i => i.Value).OfType<PyList>())
                    {
                        if (value.Count == 2 && value[0] is PyStr source && prompt.ContainsKey(source.Value) && upstream.Add(source.Value))
                        {
                            stack.Push(source.Value);
                        }
                    }
                }
            }

            foreach (var id in upstream)
            {
                nodes.Remove(id);
            }
        }

        return $"{status} {PyJson.Dump(answer)}";
    }

    private static string Canonical(int status, string body, bool dropDependentOutputs)
    {
        if (status >= 500)
        {
            return status.ToString(System.Globalization.CultureInfo.InvariantCulture); // the server's text, or the SDK's description of it
        }

        PyValue parsed;
        try
        {
            parsed = PyJson.Parse(body);
        }
        catch (FormatException)
        {
            return $"{status} {body.Trim()}";
        }

        if (parsed is PyDict dict)
        {
            if (dict.Get("error") is PyDict error && error.Get("details") is PyStr details && details.Value.Contains('\n', StringComparison.Ordinal))
            {
                error["details"] = new PyStr(string.Join("\n", details.Value.Split('\n').Order(StringComparer.Ordinal)));
            }

            if (dict.Get("node_errors") is PyDict nodes)
            {
                var sorted = new PyDict();
                foreach (var id in nodes.Keys.Order(StringComparer.Ordinal))
                {
                    if (nodes[id] is PyDict node)
                    {
                        if (node.Get("errors") is PyList errors)
                        {
                            foreach (var e in errors.Items.OfType<PyDict>())
                            {
                                if (e.Get("extra_info") is PyDict extra && extra.ContainsKey("traceback"))
                                {
                                    extra["traceback"] = new PyList([]);
                                }
                            }

                            node["errors"] = new PyList(errors.Items.OrderBy(e => PyJson.Dump(e), StringComparer.Ordinal).ToList());
                        }

                        if (dropDependentOutputs)
                        {
                            node.Remove("dependent_outputs");
                        }
                        else if (node.Get("dependent_outputs") is PyList outputs)
                        {
                            node["dependent_outputs"] = new PyList(outputs.Items.OrderBy(o => o.Str(), StringComparer.Ordinal).ToList());
                        }
                    }

                    sorted[id] = nodes[id];
                }

                dict["node_errors"] = sorted;
            }

            // A queued prompt's id and number differ on every call.
            dict.Remove("prompt_id");
            dict.Remove("number");
            dict.Remove("valid");
        }

        return $"{status} {PyJson.Dump(parsed)}";
    }

    /// <summary>The verdict of an answer: queued (200), rejected (400) or failed (500).</summary>
    public static string Verdict(int status) => status switch
    {
        200 => "valid",
        400 => "invalid",
        _ => "server-error",
    };
}
