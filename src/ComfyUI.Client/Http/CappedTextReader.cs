using System.Text;

namespace ComfyUI.Client.Http;

/// <summary>Reads the start of a body as text, for error messages: at most a given number of characters, in the body's charset.</summary>
internal static class CappedTextReader
{
    /// <summary>Reads at most <paramref name="maxChars"/> characters of a body as text; returns <see langword="null"/> when it is empty.</summary>
    public static async Task<string?> ReadAsync(HttpContent content, int maxChars, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var encoding = Encoding.UTF8;
            var charset = content.Headers.ContentType?.CharSet;
            if (!string.IsNullOrEmpty(charset))
            {
                try
                {
                    encoding = Encoding.GetEncoding(charset.Trim('"'));
                }
                catch (ArgumentException)
                {
                    encoding = Encoding.UTF8;
                }
            }

            using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
            var buffer = new char[Math.Min(maxChars, 4096)];
            var builder = new StringBuilder();
            while (builder.Length < maxChars)
            {
                var read = await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxChars - builder.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                builder.Append(buffer, 0, read);
            }

            return builder.Length == 0 ? null : builder.ToString();
        }
    }
}
