using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyUI.Client;

/// <summary>Settings of an upload to <c>/upload/image</c> or <c>/upload/mask</c>.</summary>
public sealed class UploadOptions
{
    /// <summary>The folder type to store the file in: <c>input</c> (default), <c>temp</c> or <c>output</c>.</summary>
    public string Type { get; init; } = "input";

    /// <summary>The subfolder under the folder type, or <see langword="null"/> for none.</summary>
    public string? Subfolder { get; init; }

    /// <summary>
    /// Overwrite an existing file of the same name. When <see langword="false"/> (default) the server reuses a file with identical bytes and
    /// renames a different one to <c>name (1).ext</c>; always use <see cref="UploadResult.Name"/>.
    /// </summary>
    public bool Overwrite { get; init; }
}

/// <summary>What the server stored for an upload.</summary>
public sealed class UploadResult
{
    /// <summary>The stored file name; may differ from the name sent (<c>photo (1).png</c>).</summary>
    public string Name { get; init; } = "";

    /// <summary>The subfolder, as sent ("" for none).</summary>
    public string Subfolder { get; init; } = "";

    /// <summary>The folder type: <c>input</c>, <c>temp</c> or <c>output</c>.</summary>
    public string Type { get; init; } = "input";

    /// <summary>The asset record the server adds when started with <c>--enable-assets</c>, else <see langword="null"/>.</summary>
    public JsonElement? Asset { get; init; }

    /// <summary>The value to put in a <c>LoadImage</c> input: <c>subfolder/name</c>, or just the name without a subfolder.</summary>
    [JsonIgnore]
    public string InputValue => string.IsNullOrEmpty(Subfolder) ? Name : Subfolder + "/" + Name;

    /// <summary>The stored file as a reference for <see cref="FilesClient.OpenViewAsync"/> and the download methods.</summary>
    /// <returns>The file reference.</returns>
    public OutputFile ToOutputFile() => new() { Filename = Name, Subfolder = Subfolder, Type = Type };
}

/// <summary>How <c>/view</c> should re-encode an image (<c>preview</c> and <c>channel</c>).</summary>
public sealed class ViewOptions
{
    /// <summary>A preview format, <c>webp</c> or <c>jpeg</c>, to re-encode the image in; <see langword="null"/> for the original bytes.</summary>
    public string? PreviewFormat { get; init; }

    /// <summary>The preview quality (1–100, server default 90); used with <see cref="PreviewFormat"/>.</summary>
    public int? PreviewQuality { get; init; }

    /// <summary>The channels to return; <see langword="null"/> for the original file.</summary>
    public ViewChannel? Channel { get; init; }
}

/// <summary>The <c>channel</c> parameter of <c>/view</c>.</summary>
public enum ViewChannel
{
    /// <summary>The original bytes (<c>rgba</c>).</summary>
    Rgba,

    /// <summary>A PNG without alpha (<c>rgb</c>).</summary>
    Rgb,

    /// <summary>A PNG of the alpha channel only (<c>a</c>).</summary>
    Alpha,
}

/// <summary>The <c>original_ref</c> part of a mask upload.</summary>
internal sealed class MaskOriginalRef
{
    public string Filename { get; init; } = "";

    public string Subfolder { get; init; } = "";

    public string Type { get; init; } = "output";
}
