using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ComfyUI.Client.Serialization;

/// <summary>
/// The one source-generated JSON context of the SDK (AOT- and trim-safe). Every type read from or written to the server is listed here.
/// Unknown members are ignored; numbers may come as strings or as named literals.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    PropertyNameCaseInsensitive = false,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
// Queue
[JsonSerializable(typeof(QueuePromptBody))]
[JsonSerializable(typeof(QueuePromptResponse))]
[JsonSerializable(typeof(QueueStatus))]
[JsonSerializable(typeof(QueueState))]
[JsonSerializable(typeof(ClearOrDeleteBody))]
[JsonSerializable(typeof(InterruptBody))]
// Outputs
[JsonSerializable(typeof(NodeOutput))]
[JsonSerializable(typeof(Dictionary<string, NodeOutput>))]
// History
[JsonSerializable(typeof(Dictionary<string, HistoryEntry>))]
// Files
[JsonSerializable(typeof(UploadResult))]
[JsonSerializable(typeof(MaskOriginalRef))]
// Jobs
[JsonSerializable(typeof(JobsPage))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(JobCancelResult))]
[JsonSerializable(typeof(JobCancelBody))]
// Discovery
[JsonSerializable(typeof(ModelFolderInfo[]))]
[JsonSerializable(typeof(ModelFileInfo[]))]
[JsonSerializable(typeof(SystemStats))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(Dictionary<string, NodeReplacement[]>))]
[JsonSerializable(typeof(Dictionary<string, GlobalSubgraph>))]
[JsonSerializable(typeof(GlobalSubgraph))]
// User data
[JsonSerializable(typeof(UserDataFileInfo))]
[JsonSerializable(typeof(UserDataFileInfo[]))]
[JsonSerializable(typeof(string[][]))]
[JsonSerializable(typeof(UserDataEntry[]))]
// Users and settings
[JsonSerializable(typeof(UsersInfo))]
[JsonSerializable(typeof(CreateUserBody))]
// Internal
[JsonSerializable(typeof(ServerLogs))]
[JsonSerializable(typeof(LogsSubscribeBody))]
// Memory
[JsonSerializable(typeof(FreeBody))]
// WebSocket messages
[JsonSerializable(typeof(StatusMessage))]
[JsonSerializable(typeof(ExecutionStartMessage))]
[JsonSerializable(typeof(ExecutionCachedMessage))]
[JsonSerializable(typeof(ExecutingMessage))]
[JsonSerializable(typeof(ProgressMessage))]
[JsonSerializable(typeof(ProgressStateMessage))]
[JsonSerializable(typeof(ExecutedMessage))]
[JsonSerializable(typeof(ExecutionSuccessMessage))]
[JsonSerializable(typeof(ExecutionErrorMessage))]
[JsonSerializable(typeof(ExecutionInterruptedMessage))]
[JsonSerializable(typeof(LogsMessage))]
[JsonSerializable(typeof(ComfyUI.Client.WebSockets.PreviewMetadata))]
[JsonSerializable(typeof(ComfyUI.Client.WebSockets.ClientFeatureFlags))]
internal sealed partial class ComfyJsonContext : JsonSerializerContext
{
}
