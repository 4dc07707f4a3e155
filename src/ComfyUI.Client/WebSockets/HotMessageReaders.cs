using System.Globalization;
using System.Text.Json;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Hand-written single-pass readers for the messages a run sends many of (<c>progress</c>, <c>progress_state</c>, <c>executing</c>,
/// <c>execution_start</c>, <c>execution_cached</c>, <c>execution_success</c>, <c>executed</c>). The source-generated path reads init-only
/// records through its parameterized-constructor converter (an argument array, boxed numbers, a deeper read stack); these read straight into the
/// record. They follow the same rules as <see cref="ComfyJsonContext"/>: snake_case names, unknown members ignored, numbers also from strings
/// and named literals, prompt and node ids through <see cref="RecentStringConverter"/>. The caller has checked that <c>data</c> is an object.
/// </summary>
internal static class HotMessageReaders
{
    private static readonly UnixMillisecondsConverter Timestamps = new();
    private static readonly NodeOutputConverter Outputs = new();

    /// <summary>
    /// Reads the data object of a message of one of these types; <paramref name="reader"/> is on its <c>{</c> and is left on its <c>}</c>.
    /// </summary>
    /// <returns>The message, or <see langword="null"/> when <paramref name="type"/> is not one of these (nothing read then).</returns>
    public static ComfyMessage? TryRead(string type, ref Utf8JsonReader reader) => type switch
    {
        "progress" => Progress(ref reader),
        "executing" => Executing(ref reader),
        "progress_state" => ProgressState(ref reader),
        "status" => Status(ref reader),
        "execution_start" => ExecutionStart(ref reader),
        "execution_cached" => ExecutionCached(ref reader),
        "executed" => Executed(ref reader),
        "execution_success" => ExecutionSuccess(ref reader),
        _ => null,
    };

    private static ProgressMessage Progress(ref Utf8JsonReader reader)
    {
        double value = 0, max = 0;
        string? promptId = null, node = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                value = Number(ref reader);
            }
            else if (reader.ValueTextEquals("max"u8))
            {
                reader.Read();
                max = Number(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("node"u8))
            {
                reader.Read();
                node = Id(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new ProgressMessage { PromptId = promptId, Value = value, Max = max, Node = node };
    }

    private static ExecutingMessage Executing(ref Utf8JsonReader reader)
    {
        string? promptId = null, node = null, displayNode = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("node"u8))
            {
                reader.Read();
                node = Id(ref reader);
            }
            else if (reader.ValueTextEquals("display_node"u8))
            {
                reader.Read();
                displayNode = Id(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new ExecutingMessage { PromptId = promptId, Node = node, DisplayNode = displayNode };
    }

    private static ExecutionStartMessage ExecutionStart(ref Utf8JsonReader reader)
    {
        var (promptId, timestamp) = PromptAndTimestamp(ref reader);
        return new ExecutionStartMessage { PromptId = promptId, Timestamp = timestamp };
    }

    private static ExecutionSuccessMessage ExecutionSuccess(ref Utf8JsonReader reader)
    {
        var (promptId, timestamp) = PromptAndTimestamp(ref reader);
        return new ExecutionSuccessMessage { PromptId = promptId, Timestamp = timestamp };
    }

    private static ExecutionCachedMessage ExecutionCached(ref Utf8JsonReader reader)
    {
        string? promptId = null;
        DateTimeOffset? timestamp = null;
        IReadOnlyList<string> nodes = [];
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("nodes"u8))
            {
                reader.Read();
                nodes = Strings(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                timestamp = Timestamp(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new ExecutionCachedMessage { PromptId = promptId, Nodes = nodes, Timestamp = timestamp };
    }

    private static ExecutedMessage Executed(ref Utf8JsonReader reader)
    {
        string? promptId = null, node = null, displayNode = null;
        NodeOutput? output = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("node"u8))
            {
                reader.Read();
                node = Id(ref reader);
            }
            else if (reader.ValueTextEquals("display_node"u8))
            {
                reader.Read();
                displayNode = Id(ref reader);
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                reader.Read();
                output = Outputs.Read(ref reader, typeof(NodeOutput), null!);
            }
            else if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new ExecutedMessage { PromptId = promptId, Node = node ?? "", DisplayNode = displayNode, Output = output ?? new NodeOutput() };
    }

    private static ProgressStateMessage ProgressState(ref Utf8JsonReader reader)
    {
        string? promptId = null;
        var nodes = new Dictionary<string, NodeProgressState>();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("nodes"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                Expect(ref reader, JsonTokenType.StartObject, "nodes");
                while (NextProperty(ref reader))
                {
                    var key = Id(ref reader)!;
                    reader.Read();
                    nodes[key] = NodeState(ref reader);
                }
            }
            else if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new ProgressStateMessage { PromptId = promptId, Nodes = nodes };
    }

    private static StatusMessage Status(ref Utf8JsonReader reader)
    {
        string? sid = null;
        QueueStatus? status = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = reader.TokenType == JsonTokenType.Null ? null : QueueStatus(ref reader);
            }
            else if (reader.ValueTextEquals("sid"u8))
            {
                reader.Read();
                sid = Id(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new StatusMessage { Status = status ?? new QueueStatus(), Sid = sid };
    }

    private static QueueStatus QueueStatus(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "status");
        var remaining = 0;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("exec_info"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                Expect(ref reader, JsonTokenType.StartObject, "exec_info");
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("queue_remaining"u8))
                    {
                        reader.Read();
                        remaining = Integer(ref reader);
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new QueueStatus { ExecInfo = new ExecInfo { QueueRemaining = remaining } };
    }

    private static int Integer(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.String && int.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return value;
        }

        throw new JsonException($"Expected an integer, not {reader.TokenType}.");
    }

    private static NodeProgressState NodeState(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "a node's progress state");
        double value = 0, max = 0;
        string? state = "", nodeId = null, promptId = null, displayNodeId = null, parentNodeId = null, realNodeId = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                value = Number(ref reader);
            }
            else if (reader.ValueTextEquals("max"u8))
            {
                reader.Read();
                max = Number(ref reader);
            }
            else if (reader.ValueTextEquals("state"u8))
            {
                reader.Read();
                state = Id(ref reader);
            }
            else if (reader.ValueTextEquals("node_id"u8))
            {
                reader.Read();
                nodeId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("display_node_id"u8))
            {
                reader.Read();
                displayNodeId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("parent_node_id"u8))
            {
                reader.Read();
                parentNodeId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("real_node_id"u8))
            {
                reader.Read();
                realNodeId = Id(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return new NodeProgressState
        {
            Value = value,
            Max = max,
            State = state!,
            NodeId = nodeId,
            PromptId = promptId,
            DisplayNodeId = displayNodeId,
            ParentNodeId = parentNodeId,
            RealNodeId = realNodeId,
        };
    }

    private static (string? PromptId, DateTimeOffset? Timestamp) PromptAndTimestamp(ref Utf8JsonReader reader)
    {
        string? promptId = null;
        DateTimeOffset? timestamp = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("prompt_id"u8))
            {
                reader.Read();
                promptId = Id(ref reader);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                timestamp = Timestamp(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return (promptId, timestamp);
    }

    /// <summary>Moves to the next property name of the current object; <see langword="false"/> at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"Expected {what} to be {token}, not {reader.TokenType}.");
        }
    }

    /// <summary>A string (or null) through the recent-values cache; a property name reads as its text.</summary>
    private static string? Id(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String or JsonTokenType.PropertyName => RecentStringConverter.ReadString(ref reader),
        _ => throw new JsonException($"Expected a string, not {reader.TokenType}."),
    };

    private static double Number(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.GetDouble();
            case JsonTokenType.String:
                {
                    // AllowReadingFromString | AllowNamedFloatingPointLiterals, as in the context.
                    var text = reader.GetString()!;
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return parsed;
                    }

                    throw new JsonException($"'{text}' is not a number.");
                }

            default:
                throw new JsonException($"Expected a number, not {reader.TokenType}.");
        }
    }

    private static DateTimeOffset? Timestamp(ref Utf8JsonReader reader) => Timestamps.Read(ref reader, typeof(DateTimeOffset?), null!);

    private static string[] Strings(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, "a list of strings");
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(Id(ref reader)!);
        }

        return [.. list];
    }
}
