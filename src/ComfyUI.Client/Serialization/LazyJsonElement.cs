using System.Text.Json;

namespace ComfyUI.Client.Serialization;

/// <summary>
/// A JSON value kept as its UTF-8 bytes (already checked by the reader that found it) and parsed into a <see cref="JsonElement"/> on first use,
/// in place: no copy of the bytes. Models read from the answers every tracked run reads (<see cref="HistoryEntryReader"/>) hold their
/// free-form parts this way, so that a run which never looks at the prompt it echoes or at the recorded messages pays for one copy of their
/// bytes instead of two parsed documents. Thread-safe: concurrent first uses may parse twice, and all of them see the same element afterwards.
/// </summary>
internal sealed class LazyJsonElement(ReadOnlyMemory<byte> utf8)
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private JsonDocument? _document;

    /// <summary>The value's bytes as the server sent them.</summary>
    public ReadOnlyMemory<byte> Utf8 => utf8;

    /// <summary>The value, parsed on first use.</summary>
    public JsonElement Value
    {
        get
        {
            var document = Volatile.Read(ref _document);
            if (document is null)
            {
                // Never disposed, as the documents of JsonElement.ParseValue: the elements handed out must stay valid for the model's lifetime.
                var parsed = JsonDocument.Parse(utf8, Options);
                document = Interlocked.CompareExchange(ref _document, parsed, null) ?? parsed;
            }

            return document.RootElement;
        }
    }
}
