using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// What one node produced for the UI: the <c>output</c> of a WebSocket <c>executed</c> message and one value of a history entry's
/// <c>outputs</c>. An open dictionary (custom nodes add their own keys) with typed views of the known kinds.
/// </summary>
[JsonConverter(typeof(NodeOutputConverter))]
public sealed class NodeOutput
{
    private static readonly Dictionary<string, JsonElement> NoMembers = new(StringComparer.Ordinal);

    /// <summary>Creates a node output from its raw members.</summary>
    /// <param name="raw">The output's members by name; <see langword="null"/> for none.</param>
    public NodeOutput(IReadOnlyDictionary<string, JsonElement>? raw = null) => Raw = raw ?? NoMembers;

    /// <summary>The empty output, shared (it cannot change): the default of a message without one.</summary>
    internal static NodeOutput Empty { get; } = new();

    /// <summary>Every member of the output as the server sent it, for kinds the typed views do not cover.</summary>
    public IReadOnlyDictionary<string, JsonElement> Raw { get; }

    /// <summary>Images (<c>images</c>; also used by core nodes for video previews when <see cref="Animated"/> says so).</summary>
    public IReadOnlyList<OutputFile> Images => Files("images", OutputKind.Image);

    /// <summary>Animated outputs and videos listed under <c>gifs</c> or <c>video</c>/<c>videos</c> (VideoHelperSuite and core save-video nodes).</summary>
    public IReadOnlyList<OutputFile> Videos => [.. Files("gifs", OutputKind.Video), .. Files("video", OutputKind.Video), .. Files("videos", OutputKind.Video)];

    /// <summary>Audio files (<c>audio</c>).</summary>
    public IReadOnlyList<OutputFile> Audio => Files("audio", OutputKind.Audio);

    /// <summary>3-D and other file outputs listed under <c>3d</c>, <c>mesh</c>, <c>model_file</c> or <c>result</c> when they are file references.</summary>
    public IReadOnlyList<OutputFile> OtherFiles => [.. Files("3d", OutputKind.Other), .. Files("mesh", OutputKind.Other), .. Files("model_file", OutputKind.Other), .. Files("result", OutputKind.Other)];

    /// <summary>Every file reference of the output, of any kind, in member order.</summary>
    public IReadOnlyList<OutputFile> AllFiles
    {
        get
        {
            var result = new List<OutputFile>();
            foreach (var (key, value) in Raw)
            {
                result.AddRange(ReadFiles(value, KindOf(key)));
            }

            return result;
        }
    }

    /// <summary>Text outputs (<c>text</c>): the strings of the list (non-string items as raw JSON).</summary>
    public IReadOnlyList<string> Text => Strings("text");

    /// <summary>The <c>animated</c> flags that go with <see cref="Images"/>, when present.</summary>
    public IReadOnlyList<bool> Animated =>
        Raw.TryGetValue("animated", out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.True).ToArray()
            : [];

    /// <summary>The strings of a list member, or an empty list.</summary>
    /// <param name="key">The member name, for example <c>text</c>.</param>
    /// <returns>The strings (non-string items as raw JSON).</returns>
    public IReadOnlyList<string> Strings(string key) =>
        Raw.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText()).ToArray()
            : [];

    /// <summary>The file references of a list member (items with a <c>filename</c>), or an empty list.</summary>
    /// <param name="key">The member name, for example <c>images</c> or <c>gifs</c>.</param>
    /// <param name="kind">The kind to tag the files with.</param>
    /// <returns>The files.</returns>
    public IReadOnlyList<OutputFile> Files(string key, OutputKind kind) =>
        Raw.TryGetValue(key, out var value) ? ReadFiles(value, kind) : [];

    private static OutputKind KindOf(string key) => key switch
    {
        "images" => OutputKind.Image,
        "gifs" or "video" or "videos" => OutputKind.Video,
        "audio" => OutputKind.Audio,
        _ => OutputKind.Other,
    };

    private static List<OutputFile> ReadFiles(JsonElement value, OutputKind kind)
    {
        var result = new List<OutputFile>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("filename", out var filename)
                && filename.ValueKind == JsonValueKind.String)
            {
                result.Add(new OutputFile
                {
                    Filename = filename.GetString()!,
                    Subfolder = item.TryGetProperty("subfolder", out var sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString()! : "",
                    Type = item.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "output",
                    Kind = kind,
                    Format = item.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String ? format.GetString() : null,
                });
            }
        }

        return result;
    }
}

/// <summary>The kind of an output file.</summary>
public enum OutputKind
{
    /// <summary>An image (<c>images</c>).</summary>
    Image,

    /// <summary>A video or animation (<c>gifs</c>, <c>video</c>, <c>videos</c>).</summary>
    Video,

    /// <summary>Audio (<c>audio</c>).</summary>
    Audio,

    /// <summary>Anything else: 3-D models and custom file outputs.</summary>
    Other,
}

/// <summary>A file the server holds: <c>{filename, subfolder, type}</c>, as in outputs, uploads and <c>/view</c>.</summary>
public sealed record OutputFile
{
    /// <summary>The file name (no directory).</summary>
    public required string Filename { get; init; }

    /// <summary>The subfolder under the folder type, "" for none. Passed back verbatim (Windows servers use '\').</summary>
    public string Subfolder { get; init; } = "";

    /// <summary>The folder type: <c>output</c>, <c>input</c> or <c>temp</c>.</summary>
    public string Type { get; init; } = "output";

    /// <summary>What kind of output it is, from the member it was listed under.</summary>
    public OutputKind Kind { get; init; } = OutputKind.Image;

    /// <summary>The format some nodes add (for example <c>video/h264-mp4</c>), when present.</summary>
    public string? Format { get; init; }
}

/// <summary>Reads and writes <see cref="NodeOutput"/> as the plain JSON object the server uses (null reads as empty).</summary>
internal sealed class NodeOutputConverter : JsonConverter<NodeOutput>
{
    public override bool HandleNull => true;

    public override NodeOutput Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return new NodeOutput();
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"A node output must be a JSON object, not {reader.TokenType}.");
        }

        // Each member becomes its own owned element, read straight from the reader (no intermediate document to clone from).
        var raw = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Serialization.RecentStringConverter.ReadString(ref reader);
            reader.Read();
            raw[name] = JsonElement.ParseValue(ref reader);
        }

        return new NodeOutput(raw);
    }

    public override void Write(Utf8JsonWriter writer, NodeOutput value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, element) in value.Raw)
        {
            writer.WritePropertyName(key);
            element.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}
