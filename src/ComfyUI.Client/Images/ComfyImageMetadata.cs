using System.Text;

namespace ComfyUI.Client;

/// <summary>The kind of image a <see cref="ComfyImageMetadata"/> was read from.</summary>
public enum ComfyImageFormat
{
    /// <summary>A PNG (text chunks <c>tEXt</c>, <c>iTXt</c>, <c>zTXt</c>).</summary>
    Png,

    /// <summary>A WebP (EXIF fields <c>"prompt:{…}"</c> in Model, <c>"workflow:{…}"</c> in Make and the tags below it).</summary>
    WebP,
}

/// <summary>
/// The metadata ComfyUI writes into the images it saves: the API prompt that ran (<see cref="Prompt"/>) and the editor's workflow
/// (<see cref="Workflow"/>), as PNG text chunks (SaveImage, PreviewImage) or WebP EXIF fields (SaveAnimatedWEBP, SaveWEBM previews).
/// Read them with <see cref="ReadAsync(string, CancellationToken)"/>; write them into a PNG with <see cref="WritePngAsync"/>.
/// </summary>
/// <example>
/// <code>
/// ComfyImageMetadata metadata = await ComfyImageMetadata.ReadAsync("ComfyUI_00001_.png");
/// Workflow workflow = await Workflow.LoadAsync("ComfyUI_00001_.png", client);   // converts metadata.Workflow with the server's schema
/// </code>
/// </example>
public sealed class ComfyImageMetadata
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The image format.</summary>
    public ComfyImageFormat Format { get; init; }

    /// <summary>Every text field: PNG text chunks by keyword; WebP EXIF fields of the form <c>key:value</c> by key.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>The API prompt (JSON text), or <see langword="null"/> when the image has none.</summary>
    public string? Prompt => Fields.TryGetValue("prompt", out var value) ? value : null;

    /// <summary>The editor's UI workflow (JSON text), or <see langword="null"/> when the image has none.</summary>
    public string? Workflow => Fields.TryGetValue("workflow", out var value) ? value : null;

    /// <summary>Whether the bytes start like a PNG or a WebP file.</summary>
    /// <param name="header">The first bytes of the file (12 are enough).</param>
    /// <returns><see langword="true"/> for a PNG or WebP signature.</returns>
    public static bool IsImage(ReadOnlySpan<byte> header) => DetectFormat(header) is not null;

    internal static ComfyImageFormat? DetectFormat(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith(PngSignature))
        {
            return ComfyImageFormat.Png;
        }

        return header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header.Slice(8, 4).SequenceEqual("WEBP"u8) ? ComfyImageFormat.WebP : null;
    }

    /// <summary>Reads the metadata of a PNG or WebP file. Image data is skipped, not buffered.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The metadata (possibly without prompt and workflow).</returns>
    /// <exception cref="FormatException">The file is not a PNG or WebP, or its structure is broken; the message names the file.</exception>
    public static async Task<ComfyImageMetadata> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{path}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Reads the metadata of a PNG or WebP image from a stream (not closed). Image data is skipped, not buffered.</summary>
    /// <param name="stream">The image.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="FormatException">The content is not a PNG or WebP, or its structure is broken.</exception>
    public static async Task<ComfyImageMetadata> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[12];
        var read = await ImageStreams.ReadAtMostAsync(stream, header, cancellationToken).ConfigureAwait(false);
        return DetectFormat(header.AsSpan(0, read)) switch
        {
            ComfyImageFormat.Png => new ComfyImageMetadata
            {
                Format = ComfyImageFormat.Png,
                Fields = await PngText.ReadAsync(stream, header.AsMemory(8, read - 8), cancellationToken).ConfigureAwait(false),
            },
            ComfyImageFormat.WebP => new ComfyImageMetadata
            {
                Format = ComfyImageFormat.WebP,
                Fields = await WebpExif.ReadAsync(stream, cancellationToken).ConfigureAwait(false),
            },
            _ => throw new FormatException("The file is not a PNG or WebP image (ComfyUI writes its prompt and workflow into those)."),
        };
    }

    /// <summary>
    /// Copies a PNG and writes text chunks into it as ComfyUI does (<c>tEXt</c>; <c>iTXt</c> for text that is not Latin-1), after the header
    /// and before the image data. Chunks with the same keywords are replaced. The image data is streamed, not buffered.
    /// </summary>
    /// <param name="source">The PNG to copy (read to its end; not closed).</param>
    /// <param name="destination">Where to write the new PNG (not closed).</param>
    /// <param name="fields">Keyword → text, for example <c>prompt</c> and <c>workflow</c> JSON.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>A task that completes when the PNG is written.</returns>
    /// <exception cref="FormatException">The source is not a PNG.</exception>
    public static Task WritePngAsync(Stream source, Stream destination, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var keyword in fields.Keys)
        {
            if (keyword.Length is 0 or > 79 || keyword.Any(c => c is < ' ' or > '\u00ff'))
            {
                throw new ArgumentException($"The PNG text keyword '{keyword}' must be 1 to 79 Latin-1 characters.", nameof(fields));
            }
        }

        return PngText.WriteAsync(source, destination, fields, cancellationToken);
    }

    internal static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
