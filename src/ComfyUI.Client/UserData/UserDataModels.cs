using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>A user data file with its size and times (<c>full_info=true</c>).</summary>
public sealed class UserDataFileInfo
{
    /// <summary>The path: relative to the listed directory in listings, relative to the user root after a save or move.</summary>
    public string Path { get; init; } = "";

    /// <summary>The size in bytes.</summary>
    public long? Size { get; init; }

    /// <summary>The modification time (milliseconds on ComfyUI 0.20.1 and later, float seconds before; both read).</summary>
    [JsonConverter(typeof(UnixTimeConverter))]
    public DateTimeOffset? Modified { get; init; }

    /// <summary>The creation time (since ComfyUI 0.3.48).</summary>
    [JsonConverter(typeof(UnixTimeConverter))]
    public DateTimeOffset? Created { get; init; }
}

/// <summary>A listed file split into its directory parts (<c>split=true</c>).</summary>
public sealed class UserDataSplitPath
{
    /// <summary>The path relative to the listed directory, with '/' separators.</summary>
    public string Path { get; init; } = "";

    /// <summary>The path's parts: directories then the file name.</summary>
    public IReadOnlyList<string> Parts { get; init; } = [];
}

/// <summary>An entry of the v2 listing (<c>/v2/userdata</c>): a file or a directory.</summary>
[Experimental("COMFYUI001")]
public sealed class UserDataEntry
{
    /// <summary>The name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The path relative to the user root.</summary>
    public string Path { get; init; } = "";

    /// <summary><c>file</c> or <c>directory</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>Whether the entry is a directory.</summary>
    [JsonIgnore]
    public bool IsDirectory => Type == "directory";

    /// <summary>The size of a file in bytes (absent when the server could not read it).</summary>
    public long? Size { get; init; }

    /// <summary>The modification time of a file (float seconds on the wire).</summary>
    [JsonConverter(typeof(UnixTimeConverter))]
    public DateTimeOffset? Modified { get; init; }
}

/// <summary>
/// Reads a Unix time sent as milliseconds or as (float) seconds: values below 10^11 are seconds (before the year 5138), larger ones milliseconds.
/// Non-numbers and values out of range read as <see langword="null"/>.
/// </summary>
internal sealed class UnixTimeConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            reader.Skip();
            return null;
        }

        var value = reader.GetDouble();
        var milliseconds = Math.Abs(value) < 1e11 ? value * 1000 : value;
        return double.IsFinite(milliseconds) && milliseconds is >= -62_135_596_800_000 and <= 253_402_300_799_999
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds)
            : null;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteNumberValue(value.Value.ToUnixTimeMilliseconds());
        }
    }
}

/// <summary>How to list a user-data directory.</summary>
public sealed class UserDataListOptions
{
    /// <summary>Include the files of subdirectories. Defaults to <see langword="false"/>.</summary>
    public bool Recurse { get; init; }
}

/// <summary>How to save a user-data file.</summary>
public sealed class UserDataSaveOptions
{
    /// <summary>Replace an existing file. Defaults to <see langword="true"/>, as on the server; off, an existing file is a 409 conflict.</summary>
    public bool Overwrite { get; init; } = true;
}

/// <summary>How to move a user-data file.</summary>
public sealed class UserDataMoveOptions
{
    /// <summary>Replace an existing destination. Defaults to <see langword="false"/>, as in the official frontend; off, an existing destination is a 409 conflict.</summary>
    public bool Overwrite { get; init; }
}
