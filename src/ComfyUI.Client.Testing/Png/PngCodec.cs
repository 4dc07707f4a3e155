using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ComfyUI.Client.Testing.Png;

/// <summary>
/// A small PNG encoder (RGB or RGBA, filter 0, text chunks) and decoder (8-bit gray, gray+alpha, RGB, RGBA; non-interlaced; all five
/// filters; tEXt, zTXt and iTXt text).
/// </summary>
internal static class PngCodec
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes the image as RGB, or RGBA with <paramref name="alpha"/>; text is written as tEXt (iTXt when not Latin-1), like Pillow.</summary>
    public static byte[] Encode(RgbImage image, IReadOnlyDictionary<string, string>? text = null, bool alpha = false)
    {
        var channels = alpha ? 4 : 3;
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)image.Height);
        header[8] = 8;
        header[9] = alpha ? (byte)6 : (byte)2; // RGBA or RGB
        WriteChunk(output, "IHDR", header);
        foreach (var (key, value) in text ?? new Dictionary<string, string>())
        {
            if (value.All(c => c <= '\u00FF'))
            {
                WriteChunk(output, "tEXt", Encoding.Latin1.GetBytes(key + "\0" + value));
            }
            else
            {
                // keyword, no compression (flag 0, method 0), no language tag, no translated keyword, UTF-8 text.
                WriteChunk(output, "iTXt", [.. Encoding.Latin1.GetBytes(key), 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(value)]);
            }
        }

        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            {
                var row = new byte[(image.Width * channels) + 1];
                for (var y = 0; y < image.Height; y++)
                {
                    row[0] = 0;
                    for (var x = 0; x < image.Width; x++)
                    {
                        var i = ((y * image.Width) + x) * 4;
                        image.Pixels.AsSpan(i, channels).CopyTo(row.AsSpan(1 + (x * channels)));
                    }

                    z.Write(row);
                }
            }

            WriteChunk(output, "IDAT", raw.ToArray());
        }

        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buf = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(buf, (uint)data.Length);
        output.Write(buf);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc32.Update(0xFFFFFFFFu, typeBytes);
        crc = Crc32.Update(crc, data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(buf, crc);
        output.Write(buf);
    }

    public static bool IsPng(ReadOnlySpan<byte> data) => data.Length > 8 && data[..8].SequenceEqual(Signature);

    /// <summary>The text chunks (tEXt, zTXt, iTXt) in file order, as Pillow's <c>Image.text</c> reads them.</summary>
    public static IReadOnlyDictionary<string, string> ReadText(byte[] data)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (type, start, length) in Chunks(data))
        {
            var body = data.AsSpan(start, length);
            var end = body.IndexOf((byte)0);
            if (end <= 0 || type is not ("tEXt" or "zTXt" or "iTXt"))
            {
                continue;
            }

            var key = Encoding.Latin1.GetString(body[..end]);
            var rest = body[(end + 1)..];
            text[key] = type switch
            {
                "tEXt" => Encoding.Latin1.GetString(rest),
                "zTXt" => Encoding.Latin1.GetString(Inflate(rest[1..])),
                _ => ReadInternationalText(rest),
            };
        }

        return text;
    }

    private static string ReadInternationalText(ReadOnlySpan<byte> rest)
    {
        var compressed = rest[0] == 1;
        rest = rest[2..];
        rest = rest[(rest.IndexOf((byte)0) + 1)..]; // language tag
        rest = rest[(rest.IndexOf((byte)0) + 1)..]; // translated keyword
        return Encoding.UTF8.GetString(compressed ? Inflate(rest) : rest);
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        using var z = new ZLibStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The chunks of a PNG file (type, body offset, body length), CRC-checked, up to IEND.</summary>
    private static IEnumerable<(string Type, int Start, int Length)> Chunks(byte[] data)
    {
        if (!IsPng(data))
        {
            throw new InvalidDataException("not a PNG file");
        }

        var pos = 8;
        while (pos + 12 <= data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(pos));
            if (length < 0 || pos + 12 + length > data.Length)
            {
                throw new InvalidDataException("truncated PNG chunk");
            }

            var type = Encoding.ASCII.GetString(data, pos + 4, 4);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(pos + 8 + length));
            if (Crc32.Compute(data.AsSpan(pos + 4, length + 4)) != crc)
            {
                throw new InvalidDataException($"bad CRC in chunk {type}");
            }

            if (type == "IEND")
            {
                yield break;
            }

            yield return (type, pos + 8, length);
            pos += 12 + length;
        }
    }

    public static RgbImage Decode(byte[] data)
    {
        int width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0;
        using var idat = new MemoryStream();
        foreach (var (type, start, length) in Chunks(data))
        {
            var body = data.AsSpan(start, length);
            switch (type)
            {
                case "IHDR":
                    width = (int)BinaryPrimitives.ReadUInt32BigEndian(body);
                    height = (int)BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    bitDepth = body[8];
                    colorType = body[9];
                    interlace = body[12];
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
            }
        }

        if (bitDepth != 8 || interlace != 0)
        {
            throw new InvalidDataException("only 8-bit non-interlaced PNGs are supported");
        }

        var channels = colorType switch
        {
            0 => 1,
            2 => 3,
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"unsupported PNG color type {colorType}"),
        };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var rawStream = new MemoryStream();
        z.CopyTo(rawStream);
        var raw = rawStream.GetBuffer();
        var stride = width * channels;
        var prev = new byte[stride];
        var cur = new byte[stride];
        var image = new RgbImage(width, height);
        var offset = 0;
        for (var y = 0; y < height; y++)
        {
            var filter = raw[offset++];
            Array.Copy(raw, offset, cur, 0, stride);
            offset += stride;
            Unfilter(filter, cur, prev, channels);
            for (var x = 0; x < width; x++)
            {
                var s = x * channels;
                switch (channels)
                {
                    case 1: image.Set(x, y, cur[s], cur[s], cur[s]); break;
                    case 2: image.Set(x, y, cur[s], cur[s], cur[s], cur[s + 1]); break;
                    case 3: image.Set(x, y, cur[s], cur[s + 1], cur[s + 2]); break;
                    default: image.Set(x, y, cur[s], cur[s + 1], cur[s + 2], cur[s + 3]); break;
                }
            }

            (prev, cur) = (cur, prev);
        }

        return image;
    }

    private static void Unfilter(byte filter, byte[] cur, byte[] prev, int bpp)
    {
        for (var i = 0; i < cur.Length; i++)
        {
            int a = i >= bpp ? cur[i - bpp] : 0;
            int b = prev[i];
            int c = i >= bpp ? prev[i - bpp] : 0;
            cur[i] = filter switch
            {
                0 => cur[i],
                1 => (byte)(cur[i] + a),
                2 => (byte)(cur[i] + b),
                3 => (byte)(cur[i] + ((a + b) >> 1)),
                4 => (byte)(cur[i] + Paeth(a, b, c)),
                _ => throw new InvalidDataException($"bad PNG filter {filter}"),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
