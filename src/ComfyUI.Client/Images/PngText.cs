using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ComfyUI.Client;

/// <summary>Reads and writes PNG text chunks (<c>tEXt</c>, <c>iTXt</c>, <c>zTXt</c>) chunk by chunk; other chunks are skipped or copied as they come.</summary>
internal static class PngText
{
    private const int MaxTextChunk = 64 * 1024 * 1024;

    /// <summary>Reads the text fields; <paramref name="afterSignature"/> holds bytes already read after the 8-byte signature.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(Stream stream, ReadOnlyMemory<byte> afterSignature, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var input = new PrefixedStream(afterSignature, stream);
        var head = new byte[8];
        while (true)
        {
            var read = await ImageStreams.ReadAtMostAsync(input, head, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return fields;  // Ended without IEND: keep what was read (a truncated download still has its text chunks).
            }

            if (read < 8)
            {
                throw new FormatException("The PNG ends inside a chunk header.");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(head);
            var type = Encoding.ASCII.GetString(head, 4, 4);
            if (type is "tEXt" or "iTXt" or "zTXt")
            {
                if (length > MaxTextChunk)
                {
                    throw new FormatException($"The PNG {type} chunk of {length} bytes is too large.");
                }

                var data = new byte[length + 4];
                if (await ImageStreams.ReadAtMostAsync(input, data, cancellationToken).ConfigureAwait(false) < data.Length)
                {
                    throw new FormatException($"The PNG ends inside a {type} chunk.");
                }

                if (Decode(type, data.AsSpan(0, (int)length)) is { } field)
                {
                    fields.TryAdd(field.Key, field.Value);
                }
            }
            else
            {
                await ImageStreams.SkipAsync(input, length + 4L, cancellationToken).ConfigureAwait(false);
                if (type == "IEND")
                {
                    return fields;
                }
            }
        }
    }

    private static KeyValuePair<string, string>? Decode(string type, ReadOnlySpan<byte> data)
    {
        var zero = data.IndexOf((byte)0);
        if (zero <= 0)
        {
            return null;
        }

        var keyword = ComfyImageMetadata.Latin1(data[..zero]);
        var rest = data[(zero + 1)..];
        switch (type)
        {
            case "tEXt":
                return new(keyword, ComfyImageMetadata.Latin1(rest));
            case "zTXt":
                return rest.Length < 1 ? null : new(keyword, Encoding.Latin1.GetString(Inflate(rest[1..])));
            default:
                // iTXt: compression flag, method, language\0, translated keyword\0, text (UTF-8).
                if (rest.Length < 2)
                {
                    return null;
                }

                var compressed = rest[0] == 1;
                rest = rest[2..];
                var language = rest.IndexOf((byte)0);
                if (language < 0)
                {
                    return null;
                }

                rest = rest[(language + 1)..];
                var translated = rest.IndexOf((byte)0);
                if (translated < 0)
                {
                    return null;
                }

                rest = rest[(translated + 1)..];
                return new(keyword, Encoding.UTF8.GetString(compressed ? Inflate(rest) : rest));
        }
    }

    private static byte[] Inflate(ReadOnlySpan<byte> data)
    {
        try
        {
            using var input = new MemoryStream(data.ToArray());
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            zlib.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException("A compressed PNG text chunk is corrupt.", ex);
        }
    }

    public static async Task WriteAsync(Stream source, Stream destination, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var signature = new byte[8];
        var read = await ImageStreams.ReadAtMostAsync(source, signature, cancellationToken).ConfigureAwait(false);
        if (ComfyImageMetadata.DetectFormat(signature.AsSpan(0, read)) != ComfyImageFormat.Png)
        {
            throw new FormatException("The source is not a PNG image.");
        }

        await destination.WriteAsync(signature, cancellationToken).ConfigureAwait(false);
        var head = new byte[8];
        var written = false;
        while (await ImageStreams.ReadAtMostAsync(source, head, cancellationToken).ConfigureAwait(false) == 8)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(head);
            var type = Encoding.ASCII.GetString(head, 4, 4);
            if (!written && type is "IDAT" or "IEND")
            {
                foreach (var (keyword, text) in fields)
                {
                    await WriteChunkAsync(destination, Encode(keyword, text, out var chunkType), chunkType, cancellationToken).ConfigureAwait(false);
                }

                written = true;
            }

            if (type is "tEXt" or "iTXt" or "zTXt" && length <= MaxTextChunk)
            {
                var data = new byte[length + 4];
                await ImageStreams.ReadAtMostAsync(source, data, cancellationToken).ConfigureAwait(false);
                var zero = Array.IndexOf(data, (byte)0);
                if (zero > 0 && fields.ContainsKey(ComfyImageMetadata.Latin1(data.AsSpan(0, zero))))
                {
                    continue;  // replaced by the new field
                }

                await destination.WriteAsync(head, cancellationToken).ConfigureAwait(false);
                await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await destination.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            await ImageStreams.CopyExactlyAsync(source, destination, length + 4L, cancellationToken).ConfigureAwait(false);
            if (type == "IEND")
            {
                break;
            }
        }
    }

    private static byte[] Encode(string keyword, string text, out string type)
    {
        var isLatin1 = text.All(c => c <= '\u00ff');
        type = isLatin1 ? "tEXt" : "iTXt";
        var key = Encoding.Latin1.GetBytes(keyword);
        using var data = new MemoryStream();
        data.Write(key);
        data.WriteByte(0);
        if (!isLatin1)
        {
            // Not compressed, no language, no translated keyword.
            data.Write([0, 0, 0, 0]);
        }

        data.Write(isLatin1 ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text));
        return data.ToArray();
    }

    private static async Task WriteChunkAsync(Stream destination, byte[] data, string type, CancellationToken cancellationToken)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, 4 + data.Length)));
        await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
    }
}
