using System.Globalization;
using System.Text.Json;
using ComfyUI.Client.Serialization;
using static ComfyUI.Client.Serialization.Utf8JsonPrimitives;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Hand-written single-pass readers for the messages a run sends many of (<c>progress</c>, <c>progress_state</c>, <c>executing</c>,
/// <c>execution_start</c>, <c>execution_cached</c>, <c>execution_success</c>, <c>executed</c>). The source-generated path reads init-only
/// records through its parameterized-constructor converter (an argument array, boxed numbers, a deeper read stack); these read straight into the
/// record. They follow the same rules as <see cref="ComfyJsonContext"/>: snake_case names, unknown members ignored, numbers also from strings
/// and named literals, prompt and node ids through <see cref="RecentStringConverter"/>. The caller has checked that <c>data</c> is an object.
/// Their message types are listed once, in <see cref="MessageTypes"/>; every reader walks its members through one loop (<c>NextMember</c>).
/// </summary>
internal static class HotMessageReaders
{
    private static readonly UnixMillisecondsConverter Timestamps = new();
    private static readonly NodeOutputConverter Outputs = new();

    /// <summary>The queue statuses of small queues, shared (they cannot change): the server sends one with every queue change.</summary>
    private static readonly QueueStatus?[] SharedQueueStatuses = new QueueStatus?[64];

    private static readonly byte[][] ProgressMembers = [Utf8("value"), Utf8("max"), Utf8("prompt_id"), Utf8("node")];
    private static readonly byte[][] ExecutingMembers = [Utf8("node"), Utf8("display_node"), Utf8("prompt_id")];
    private static readonly byte[][] PromptAndTimestampMembers = [Utf8("prompt_id"), Utf8("timestamp")];
    private static readonly byte[][] CachedMembers = [Utf8("nodes"), Utf8("prompt_id"), Utf8("timestamp")];
    private static readonly byte[][] ExecutedMembers = [Utf8("node"), Utf8("display_node"), Utf8("output"), Utf8("prompt_id")];
    private static readonly byte[][] ProgressStateMembers = [Utf8("nodes"), Utf8("prompt_id")];
    private static readonly byte[][] StatusMembers = [Utf8("status"), Utf8("sid")];
    private static readonly byte[][] QueueStatusMembers = [Utf8("exec_info")];
    private static readonly byte[][] ExecInfoMembers = [Utf8("queue_remaining")];
    private static readonly byte[][] NodeStateMembers =
        [Utf8("value"), Utf8("max"), Utf8("state"), Utf8("node_id"), Utf8("prompt_id"), Utf8("display_node_id"), Utf8("parent_node_id"), Utf8("real_node_id")];

    public static ComfyMessage Progress(ref Utf8JsonReader reader)
    {
        double value = 0, max = 0;
        string? promptId = null, node = null;
        int member;
        while ((member = NextMember(ref reader, ProgressMembers)) >= 0)
        {
            switch (member)
            {
                case 0: value = Number(ref reader); break;
                case 1: max = Number(ref reader); break;
                case 2: promptId = Id(ref reader); break;
                default: node = Id(ref reader); break;
            }
        }

        return new ProgressMessage { PromptId = promptId, Value = value, Max = max, Node = node };
    }

    public static ComfyMessage Executing(ref Utf8JsonReader reader)
    {
        string? promptId = null, node = null, displayNode = null;
        int member;
        while ((member = NextMember(ref reader, ExecutingMembers)) >= 0)
        {
            switch (member)
            {
                case 0: node = Id(ref reader); break;
                case 1: displayNode = Id(ref reader); break;
                default: promptId = Id(ref reader); break;
            }
        }

        return new ExecutingMessage { PromptId = promptId, Node = node, DisplayNode = displayNode };
    }

    public static ComfyMessage ExecutionStart(ref Utf8JsonReader reader)
    {
        var (promptId, timestamp) = PromptAndTimestamp(ref reader);
        return new ExecutionStartMessage { PromptId = promptId, Timestamp = timestamp };
    }

    public static ComfyMessage ExecutionSuccess(ref Utf8JsonReader reader)
    {
        var (promptId, timestamp) = PromptAndTimestamp(ref reader);
        return new ExecutionSuccessMessage { PromptId = promptId, Timestamp = timestamp };
    }

    public static ComfyMessage ExecutionCached(ref Utf8JsonReader reader)
    {
        string? promptId = null;
        DateTimeOffset? timestamp = null;
        IReadOnlyList<string> nodes = [];
        int member;
        while ((member = NextMember(ref reader, CachedMembers)) >= 0)
        {
            switch (member)
            {
                case 0: nodes = Strings(ref reader); break;
                case 1: promptId = Id(ref reader); break;
                default: timestamp = Timestamp(ref reader); break;
            }
        }

        return new ExecutionCachedMessage { PromptId = promptId, Nodes = nodes, Timestamp = timestamp };
    }

    public static ComfyMessage Executed(ref Utf8JsonReader reader)
    {
        string? promptId = null, node = null, displayNode = null;
        NodeOutput? output = null;
        int member;
        while ((member = NextMember(ref reader, ExecutedMembers)) >= 0)
        {
            switch (member)
            {
                case 0: node = Id(ref reader); break;
                case 1: displayNode = Id(ref reader); break;
                case 2: output = Outputs.Read(ref reader, typeof(NodeOutput), null!); break;
                default: promptId = Id(ref reader); break;
            }
        }

        return new ExecutedMessage { PromptId = promptId, Node = node ?? "", DisplayNode = displayNode, Output = output ?? new NodeOutput() };
    }

    public static ComfyMessage ProgressState(ref Utf8JsonReader reader)
    {
        string? promptId = null;
        var nodes = new Dictionary<string, NodeProgressState>();
        int member;
        while ((member = NextMember(ref reader, ProgressStateMembers)) >= 0)
        {
            if (member == 1)
            {
                promptId = Id(ref reader);
                continue;
            }

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

        return new ProgressStateMessage { PromptId = promptId, Nodes = nodes };
    }

    public static ComfyMessage Status(ref Utf8JsonReader reader)
    {
        string? sid = null;
        QueueStatus? status = null;
        int member;
        while ((member = NextMember(ref reader, StatusMembers)) >= 0)
        {
            if (member == 0)
            {
                status = reader.TokenType == JsonTokenType.Null ? null : QueueStatus(ref reader);
            }
            else
            {
                sid = Id(ref reader);
            }
        }

        return new StatusMessage { Status = status ?? new QueueStatus(), Sid = sid };
    }

    private static QueueStatus QueueStatus(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "status");
        var remaining = 0;
        while (NextMember(ref reader, QueueStatusMembers) >= 0)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            Expect(ref reader, JsonTokenType.StartObject, "exec_info");
            while (NextMember(ref reader, ExecInfoMembers) >= 0)
            {
                remaining = Integer(ref reader);
            }
        }

        return remaining is >= 0 and < 64
            ? SharedQueueStatuses[remaining] ??= new QueueStatus { ExecInfo = new ExecInfo { QueueRemaining = remaining } }
            : new QueueStatus { ExecInfo = new ExecInfo { QueueRemaining = remaining } };
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
        int member;
        while ((member = NextMember(ref reader, NodeStateMembers)) >= 0)
        {
            switch (member)
            {
                case 0: value = Number(ref reader); break;
                case 1: max = Number(ref reader); break;
                case 2: state = Id(ref reader); break;
                case 3: nodeId = Id(ref reader); break;
                case 4: promptId = Id(ref reader); break;
                case 5: displayNodeId = Id(ref reader); break;
                case 6: parentNodeId = Id(ref reader); break;
                default: realNodeId = Id(ref reader); break;
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
        int member;
        while ((member = NextMember(ref reader, PromptAndTimestampMembers)) >= 0)
        {
            if (member == 0)
            {
                promptId = Id(ref reader);
            }
            else
            {
                timestamp = Timestamp(ref reader);
            }
        }

        return (promptId, timestamp);
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
