using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>A model folder from <c>/experiment/models</c>.</summary>
public sealed class ModelFolderInfo
{
    /// <summary>The folder key (<c>checkpoints</c>, <c>loras</c>, …).</summary>
    public string Name { get; init; } = "";

    /// <summary>The absolute paths the server searches.</summary>
    public IReadOnlyList<string> Folders { get; init; } = [];

    /// <summary>The file extensions it accepts (since ComfyUI 0.27; empty before).</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];
}

/// <summary>A model file from <c>/experiment/models/{folder}</c>.</summary>
public sealed class ModelFileInfo
{
    /// <summary>The name relative to the folder (server OS separators; pass it back verbatim).</summary>
    public string Name { get; init; } = "";

    /// <summary>The index of the search path it was found in (for the preview route).</summary>
    [JsonPropertyName("pathIndex")]
    public int PathIndex { get; init; }

    /// <summary>The modification time in seconds since the Unix epoch.</summary>
    public double? Modified { get; init; }

    /// <summary>The creation time in seconds since the Unix epoch (since ComfyUI 0.3.48).</summary>
    public double? Created { get; init; }

    /// <summary>The size in bytes.</summary>
    public long? Size { get; init; }
}

/// <summary>The server's feature flags (<c>/features</c>): the known flags typed, every flag raw.</summary>
public sealed class ServerFeatures
{
    /// <summary>Whether the server sends previews with metadata (binary type 4).</summary>
    public bool? SupportsPreviewMetadata { get; init; }

    /// <summary>Whether model type tags are supported.</summary>
    public bool? SupportsModelTypeTags { get; init; }

    /// <summary>The largest request body in bytes (<c>max_upload_size</c>; sent as an integer or a float).</summary>
    public long? MaxUploadSize { get; init; }

    /// <summary>Whether the server applies node replacements.</summary>
    public bool? NodeReplacements { get; init; }

    /// <summary>Whether the assets API is enabled.</summary>
    public bool? Assets { get; init; }

    /// <summary>Extension flags (<c>extension</c>), raw.</summary>
    public JsonElement? Extension { get; init; }

    /// <summary>Every flag as sent.</summary>
    public IReadOnlyDictionary<string, JsonElement> Raw { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>The answer of <c>/system_stats</c>.</summary>
public sealed class SystemStats
{
    /// <summary>The system and versions.</summary>
    public SystemInfo System { get; init; } = new();

    /// <summary>The torch devices, primary first.</summary>
    public IReadOnlyList<DeviceInfo> Devices { get; init; } = [];
}

/// <summary>System facts and versions. Strings from package lookups may be <see langword="null"/>; fields of newer servers are absent on older ones.</summary>
public sealed class SystemInfo
{
    /// <summary>Python's <c>sys.platform</c>: <c>linux</c>, <c>win32</c>, <c>darwin</c>.</summary>
    public string? Os { get; init; }

    /// <summary>Total RAM in bytes.</summary>
    public long? RamTotal { get; init; }

    /// <summary>Free RAM in bytes.</summary>
    public long? RamFree { get; init; }

    /// <summary>The ComfyUI version.</summary>
    public string? ComfyuiVersion { get; init; }

    /// <summary>The frontend version the server requires.</summary>
    public string? RequiredFrontendVersion { get; init; }

    /// <summary>The installed workflow templates version.</summary>
    public string? InstalledTemplatesVersion { get; init; }

    /// <summary>The workflow templates version the server requires.</summary>
    public string? RequiredTemplatesVersion { get; init; }

    /// <summary>Installed and required versions of ComfyUI's packages.</summary>
    public IReadOnlyList<PackageVersionInfo> ComfyPackageVersions { get; init; } = [];

    /// <summary>The Python version.</summary>
    public string? PythonVersion { get; init; }

    /// <summary>The PyTorch version.</summary>
    public string? PytorchVersion { get; init; }

    /// <summary>Whether the server runs an embedded Python (portable build).</summary>
    public bool? EmbeddedPython { get; init; }

    /// <summary>The deploy environment (<c>local-git</c>, …).</summary>
    public string? DeployEnvironment { get; init; }

    /// <summary>The server's command line.</summary>
    public IReadOnlyList<string> Argv { get; init; } = [];
}

/// <summary>A package version entry of <see cref="SystemInfo.ComfyPackageVersions"/>.</summary>
public sealed class PackageVersionInfo
{
    /// <summary>The package name.</summary>
    public string? Name { get; init; }

    /// <summary>The installed version, or <see langword="null"/> when not installed.</summary>
    public string? Installed { get; init; }

    /// <summary>The required version.</summary>
    public string? Required { get; init; }
}

/// <summary>A torch device of <see cref="SystemStats.Devices"/>.</summary>
public sealed class DeviceInfo
{
    /// <summary>The device name.</summary>
    public string? Name { get; init; }

    /// <summary>The device type: <c>cuda</c>, <c>cpu</c>, <c>mps</c>, …</summary>
    public string? Type { get; init; }

    /// <summary>The device index; <see langword="null"/> for CPU and MPS.</summary>
    public int? Index { get; init; }

    /// <summary>Total memory in bytes.</summary>
    public long? VramTotal { get; init; }

    /// <summary>Free memory in bytes.</summary>
    public long? VramFree { get; init; }

    /// <summary>Memory reserved by torch in bytes.</summary>
    public long? TorchVramTotal { get; init; }

    /// <summary>Free memory of torch's reservation in bytes.</summary>
    public long? TorchVramFree { get; init; }
}

/// <summary>A node replacement from <c>/node_replacements</c>: how to rewrite an old node as a new one.</summary>
public sealed class NodeReplacement
{
    /// <summary>The class that replaces the old one.</summary>
    public string NewNodeId { get; init; } = "";

    /// <summary>The class being replaced.</summary>
    public string OldNodeId { get; init; } = "";

    /// <summary>The old node's widget names, in order, or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? OldWidgetIds { get; init; }

    /// <summary>How inputs map, or <see langword="null"/>.</summary>
    public IReadOnlyList<NodeReplacementInput>? InputMapping { get; init; }

    /// <summary>How outputs map, or <see langword="null"/>.</summary>
    public IReadOnlyList<NodeReplacementOutput>? OutputMapping { get; init; }
}

/// <summary>One input mapping of a <see cref="NodeReplacement"/>: from an old input, or a fixed value.</summary>
public sealed class NodeReplacementInput
{
    /// <summary>The new node's input.</summary>
    public string NewId { get; init; } = "";

    /// <summary>The old node's input it takes, or <see langword="null"/> when <see cref="SetValue"/> is used.</summary>
    public string? OldId { get; init; }

    /// <summary>A fixed value to set, or <see langword="null"/>.</summary>
    public JsonElement? SetValue { get; init; }
}

/// <summary>One output mapping of a <see cref="NodeReplacement"/>.</summary>
public sealed class NodeReplacementOutput
{
    /// <summary>The new node's output index.</summary>
    public int NewIdx { get; init; }

    /// <summary>The old node's output index.</summary>
    public int OldIdx { get; init; }
}

/// <summary>A global subgraph (<c>/global_subgraphs</c>): a reusable blueprint from a custom node pack or the templates.</summary>
public sealed class GlobalSubgraph
{
    /// <summary>The source: <c>custom_node</c> or <c>templates</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The name (file stem).</summary>
    public string? Name { get; init; }

    /// <summary>Extra information (<c>node_pack</c>), raw.</summary>
    public JsonElement? Info { get; init; }

    /// <summary>The subgraph JSON as a string; only set by <see cref="DiscoveryClient.GetGlobalSubgraphAsync"/>.</summary>
    public string? Data { get; init; }
}
