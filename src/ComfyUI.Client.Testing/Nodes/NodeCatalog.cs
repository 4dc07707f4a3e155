using System.Text.Json.Nodes;

namespace ComfyUI.Client.Testing.Nodes;

/// <summary>The node classes the fake knows: their /object_info entries (embedded, equal to the real ones) and implementations.</summary>
internal sealed class NodeCatalog
{
    private static readonly string[] InputSections = ["required", "optional"];
    private readonly JsonObject definitions;

    public NodeCatalog(FakeComfyUIServerOptions? options = null)
    {
        using var stream = typeof(NodeCatalog).Assembly.GetManifestResourceStream("ComfyUI.Client.Testing.object_info.json")
            ?? throw new InvalidOperationException("object_info resource missing");
        definitions = JsonNode.Parse(stream)!.AsObject();
        if (options is not null)
        {
            Customize(options);
        }

        Implementations = new Dictionary<string, INode>(StringComparer.Ordinal)
        {
            ["EmptyImage"] = new EmptyImageNode(),
            ["LoadImage"] = new LoadImageNode(),
            ["ImageInvert"] = new ImageInvertNode(),
            ["SaveImage"] = new SaveImageNode(),
            ["PreviewImage"] = new PreviewImageNode(),
            ["SdkTestProgressImage"] = new SdkTestProgressImageNode(),
            ["SdkTestRaiseError"] = new SdkTestRaiseErrorNode(),
            ["SdkTestSlow"] = new SdkTestSlowNode(),
            ["SdkTestTextOutput"] = new SdkTestTextOutputNode(),
            ["SdkTestImageSize"] = new SdkTestImageSizeNode(),
        };
    }

    public IReadOnlyDictionary<string, INode> Implementations { get; }

    /// <summary>Removes the excluded classes and sets the combo choices the options ask for.</summary>
    private void Customize(FakeComfyUIServerOptions options)
    {
        foreach (var classType in options.ExcludedNodeClasses)
        {
            definitions.Remove(classType);
        }

        foreach (var (key, choices) in options.ComboChoices)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            var classType = dot > 0 ? key[..dot] : throw new ArgumentException($"ComboChoices key '{key}' must be Class.input.", nameof(options));
            var input = key[(dot + 1)..];
            var spec = InputSections.Select(section => definitions[classType]?["input"]?[section]?[input]).FirstOrDefault(s => s is JsonArray)
                as JsonArray;
            if (spec is not [JsonArray, ..])
            {
                throw new ArgumentException($"ComboChoices: {key} is not a combo input of this server.", nameof(options));
            }

            spec[0] = Json.StringArray(choices);
        }
    }

    public IEnumerable<string> ClassNames => definitions.Select(p => p.Key);

    public bool Contains(string classType) => definitions.ContainsKey(classType);

    /// <summary>The definition of a class, with LoadImage's file list taken from the input folder.</summary>
    public JsonObject? Get(string classType, Func<IReadOnlyList<string>> inputFiles)
    {
        if (definitions[classType] is not JsonObject def)
        {
            return null;
        }

        var copy = (JsonObject)def.DeepClone();
        if (classType == "LoadImage")
        {
            copy["input"]!["required"]!["image"]![0] = Json.StringArray(inputFiles());
        }

        return copy;
    }

    public JsonObject Raw(string classType) => (JsonObject)definitions[classType]!;

    public bool IsOutputNode(string classType) => Raw(classType)["output_node"]?.GetValue<bool>() == true;
}
