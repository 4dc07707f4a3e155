using System;
using System.Collections.Generic;
using ComfyUI.Client.Generators.CodeGen.Naming;

namespace ComfyUI.Client.Generators.CodeGen.Emit;

/// <summary>
/// The names at namespace level: one class per node class and one marker class per ComfyUI type (<c>IMAGE</c> → <c>Image</c>, the
/// <c>T</c> of <c>Output&lt;T&gt;</c>). Planned over every class of the file, before any filter, so a filter never renames anything.
/// Node classes claim names first (those already identifiers first, then ordinal order of their raw names); a reserved name gets
/// <c>Node</c> (classes) or <c>Type</c> (markers), a clash with an earlier name a number. Names that user code sees through <c>using System;</c> or <c>using ComfyUI.Client;</c> are reserved so
/// the generated namespace never makes them ambiguous (<c>ARRAY</c> → <c>ArrayType</c>).
/// </summary>
internal sealed class TypePlan
{
    private readonly Dictionary<string, string> _classes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _markers = new(StringComparer.Ordinal);

    public TypePlan(IReadOnlyList<NodeClassSchema> nodes)
    {
        var scope = new NameScope(Reserved);
        // Class names that are identifiers already claim first, so they are never renamed because of another class's odd name.
        var sorted = new List<NodeClassSchema>(nodes);
        sorted.Sort((a, b) => IsIdentifier(a).CompareTo(IsIdentifier(b)) is var order and not 0 ? -order : string.CompareOrdinal(a.ClassType, b.ClassType));
        foreach (var node in sorted)
        {
            _classes[node.ClassType] = scope.Claim(Names.ClassName(node.ClassType), "Node");
        }

        // A type named like a node class gets "Type", like one named like a System type.
        foreach (var name in _classes.Values)
        {
            scope.Reserve(name);
        }

        foreach (var type in TypesOf(nodes))
        {
            _markers[type] = scope.Claim(Names.Pascal(type), "Type");
        }
    }

    /// <summary>The marker types that the inputs and outputs of <paramref name="nodes"/> use, in ordinal order.</summary>
    public static SortedSet<string> TypesOf(IEnumerable<NodeClassSchema> nodes)
    {
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var input in node.Inputs)
            {
                CollectTypes(input, types);
            }

            foreach (var output in node.Outputs)
            {
                if (IsMarkerType(output.Type))
                {
                    types.Add(output.Type);
                }
            }
        }

        return types;
    }
    private static bool IsIdentifier(NodeClassSchema node) => Names.ClassName(node.ClassType) == node.ClassType;

    /// <summary>The class of a node class.</summary>
    public string ClassOf(string nodeName) => _classes[nodeName];

    /// <summary>The marker class of a ComfyUI type.</summary>
    public string MarkerOf(string type) => _markers[type];

    /// <summary>The ComfyUI types that get a marker class, and their names.</summary>
    public IEnumerable<KeyValuePair<string, string>> Markers => _markers;

    /// <summary>Whether a type gets its own marker class: every named type except the four primitives (C# types stand for those), <c>*</c>, unions and V3 dynamic types.</summary>
    public static bool IsMarkerType(string type) =>
        type.Length > 0
        && type is not ("INT" or "FLOAT" or "STRING" or "BOOLEAN" or "*")
        && type.IndexOf(',') < 0
        && !InputShapes.IsV3Dynamic(type);

    private static void CollectTypes(NodeInputSchema input, SortedSet<string> types)
    {
        switch (InputShapes.Of(input))
        {
            case InputShape.Link:
            case InputShape.LinkOrJson:
                types.Add(input.Type);
                break;
            case InputShape.Combo:
                types.Add("COMBO");
                break;
            case InputShape.Autogrow when InputShapes.TemplateOf(input) is { } template:
                CollectTypes(template, types);
                break;
            case InputShape.DynamicCombo:
                foreach (var option in input.DynamicOptions)
                {
                    foreach (var nested in option.Inputs)
                    {
                        CollectTypes(nested, types);
                    }
                }

                break;
        }
    }

    /// <summary>
    /// Type names that user code sees unqualified next to the generated namespace: the common ones of <c>System</c> and the
    /// implicit usings, and the public types of <c>ComfyUI.Client</c>.
    /// </summary>
    private static readonly string[] Reserved =
    {
        "System", "Microsoft", "ComfyUI", "Global",
        "Action", "Activator", "AppContext", "AppDomain", "Array", "ArraySegment", "Attribute", "BitConverter", "Boolean", "Buffer", "Byte",
        "CancellationToken", "Char", "Comparer", "Console", "Convert", "DateTime", "DateTimeOffset", "Decimal", "Delegate", "Dictionary",
        "Directory", "DirectoryInfo", "Double", "Enum", "Enumerable", "Environment", "EventArgs", "EventHandler", "Exception", "File",
        "FileInfo", "Func", "GC", "Guid", "Half", "HashSet", "HttpClient", "Index", "Int16", "Int32", "Int64", "Interlocked", "KeyValuePair",
        "Lazy", "List", "Math", "MathF", "Memory", "Monitor", "Nullable", "Object", "Parallel", "Path", "Progress", "Queue", "Random",
        "Range", "Single", "Span", "Stack", "Stream", "String", "StringComparer", "Task", "Thread", "TimeSpan", "Timer", "Tuple", "Type",
        "UInt16", "UInt32", "UInt64", "Uri", "ValueTask", "ValueTuple", "Version", "Volatile",
        "ComboValue", "ComfyNode", "ComfyNodeAttribute", "DynamicComboOption", "IComboInput", "Input", "ListOutput", "NodeHandle",
        "NodeInputWriter", "NodeReference", "Output", "TypedNode",
        "ClosedMessage", "ComfyError", "ComfyMessage", "ComfyNodeError", "ComfyNodeErrorDetail", "ComfyUIApiException", "ComfyUIClient",
        "ComfyUIClientOptions", "ComfyUIClientOptionsValidator", "ComfyUIException", "ComfyUIExecutionException",
        "ComfyUIPromptValidationException", "ComfyUIProtocolException", "ComfyUITimeoutException", "ComfyUIWebSocketException",
        "ComfyWebSocket", "ComfyWebSocketOptions", "ComfyWebSocketState", "ComfyWebSocketSubscription", "ConnectedMessage",
        "ConnectionStateMessage", "DeviceInfo", "DisconnectedMessage", "DiscoveryClient", "ExecInfo", "ExecutedMessage", "ExecutingMessage",
        "ExecutionCachedMessage", "ExecutionErrorMessage", "ExecutionInterruptedMessage", "ExecutionStartMessage", "ExecutionSuccessMessage",
        "FeatureFlagsMessage", "FilesClient", "GlobalSubgraph", "HistoryClient", "HistoryEntry", "HistoryMessage", "HistoryNodeMeta",
        "HistoryStatus", "InputKind", "InputSpec", "Job", "JobPreviewOutput", "JobSortBy", "JobStatus", "JobsClient", "JobsPage",
        "JobsPagination", "JobsQuery", "LogsMessage", "MemoryClient", "ModelFileInfo", "ModelFolderInfo", "NodeDefinition", "NodeOutput",
        "NodeProgressState", "NodeReplacement", "NodeReplacementInput", "NodeReplacementOutput", "OutputFile", "OutputKind",
        "PackageVersionInfo", "PreviewImageMessage", "PreviewImageWithMetadataMessage", "ProgressMessage", "ProgressStateMessage",
        "ProgressTextMessage", "PromptError", "PromptEvent", "PromptFinishedEvent", "PromptNodeExecutingEvent", "PromptNodeOutputEvent",
        "PromptNodesCachedEvent", "PromptOptions", "PromptPreviewEvent", "PromptProgressEvent", "PromptProgressTextEvent",
        "PromptQueuedEvent", "PromptReconciledEvent", "PromptResult", "PromptRun", "PromptStartedEvent", "PromptStatus",
        "PromptTrackingOptions", "ProtocolErrorMessage", "QueueClient", "QueueItem", "QueuePromptRequest", "QueuePromptResponse",
        "QueueState", "QueueStatus", "ReconnectedMessage", "ReconnectingMessage", "SavedOutput", "ServerFeatures", "ServerLogEntry",
        "StatusMessage", "SystemInfo", "SystemStats", "TerminalSize", "UnknownBinaryMessage", "UnknownMessage", "UploadOptions",
        "UploadResult", "UserDataClient", "UserDataFileInfo", "UserDataSplitPath", "UsersClient", "UsersInfo", "ViewChannel", "ViewOptions",
        "Workflow", "WorkflowBuilder", "WorkflowNode",
    };
}
