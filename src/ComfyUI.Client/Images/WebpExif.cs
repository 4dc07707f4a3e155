using System.Buffers.Binary;
using System.Text;

namespace ComfyUI.Client;

/// <summary>
/// Reads the EXIF chunk of a WebP (RIFF) file the way ComfyUI writes it: IFD0 text fields whose values are <c>"key:value"</c>
/// (<c>prompt:</c> in Model 0x0110, <c>workflow:</c> and other extra info in Make 0x010F and the tags below it).
/// </summary>
internal static class WebpExif
{
    private const int MaxExif = 64 * 1024 * 1024;

    /// <summary>Reads the fields; the stream is positioned after the 12-byte RIFF header.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[8];
        while (await ImageStreams.ReadAtMostAsync(stream, head, cancellationToken).ConfigureAwait(false) == 8)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
            var padded = size + (size & 1);
            if (head.AsSpan(0, 4).SequenceEqual("EXIF"u8))
            {
                if (size > MaxExif)
                {
                    throw new FormatException($"The WebP EXIF chunk of {size} bytes is too large.");
                }

                var data = new byte[size];
                if (await ImageStreams.ReadAtMostAsync(stream, data, cancellationToken).ConfigureAwait(false) < data.Length)
                {
                    throw new FormatException("The WebP ends inside its EXIF chunk.");
                }

                return Parse(data);
            }

            await ImageStreams.SkipAsync(stream, padded, cancellationToken).ConfigureAwait(false);
        }

        return new Dictionary<string, string>();
    }

    /// <summary>Parses a TIFF-structured EXIF block (with or without the <c>Exif\0\0</c> prefix) and returns its <c>key:value</c> text fields.</summary>
    internal static Dictionary<string, string> Parse(ReadOnlySpan<byte> exif)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (exif.StartsWith("Exif\0\0"u8))
        {
            exif = exif[6..];
        }

        if (exif.Length < 8)
        {
            return fields;
        }

        bool little;
        if (exif.StartsWith("II"u8))
        {
            little = true;
        }
        else if (exif.StartsWith("MM"u8))
        {
            little = false;
        }
        else
        {
            throw new FormatException("The WebP EXIF data is not TIFF-structured.");
        }

        var ifd = (int)Read32(exif, 4, little);
        if (ifd < 8 || ifd + 2 > exif.Length)
        {
            return fields;
        }

        var count = Read16(exif, ifd, little);
        for (var i = 0; i < count; i++)
        {
            var entry = ifd + 2 + (i * 12);
            if (entry + 12 > exif.Length)
            {
                break;
            }

            var type = Read16(exif, entry + 2, little);
            var length = Read32(exif, entry + 4, little);
            if (type is not (2 or 7) || length == 0 || length > int.MaxValue)
            {
                continue;  // ComfyUI writes text (ASCII; UNDEFINED from some writers)
            }

            var offset = length <= 4 ? entry + 8 : (long)Read32(exif, entry + 8, little);
            if (offset + length > exif.Length)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(exif.Slice((int)offset, (int)length)).TrimEnd('\0');
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                fields.TryAdd(text[..colon], text[(colon + 1)..]);
            }
        }

        return fields;
    }

    private static ushort Read16(ReadOnlySpan<byte> data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]) : BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);

    private static uint Read32(ReadOnlySpan<byte> data, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]) : BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
}
