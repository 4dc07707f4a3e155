using System.Text.Json;

namespace ComfyUI.Client;

/// <summary>
/// The messages a history entry recorded (<c>status.messages</c>: <c>[event_name, data]</c> pairs), kept as bytes by <see cref="HistoryEntryReader"/>
/// (which checked their shape): one message found straight in the bytes, or the whole list parsed when <see cref="HistoryStatus.Messages"/> is
/// first asked for.
/// </summary>
internal static class RecordedMessages
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly string[] RecordedEventNames = ["execution_start", "execution_cached", "execution_success", "execution_error", "execution_interrupted"];

    /// <summary>
    /// Finds the first recorded message named <paramref name="eventName"/> in a checked message list and locates its data (length 0 when it has none).
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> messages, string eventName, out int start, out int length)
    {
        var reader = new Utf8JsonReader(messages, Options);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            reader.Read();
            var match = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(eventName);
            reader.Skip();
            if (match)
            {
                if (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    length = (int)reader.BytesConsumed - start;
                }
                else
                {
                    start = length = 0;
                }

                return true;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
            }
        }

        start = length = 0;
        return false;
    }

    /// <summary>The recorded messages of a checked list: each message's data an element of the list's document (as <see cref="HistoryMessageConverter"/> reads them).</summary>
    public static HistoryMessage[] Parse(JsonElement list)
    {
        var messages = new HistoryMessage[list.GetArrayLength()];
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null)
            {
                messages[index++] = null!;
                continue;
            }

            var name = item[0];
            messages[index++] = new HistoryMessage
            {
                EventName = name.ValueKind == JsonValueKind.String ? KnownName(name) ?? name.GetString()! : name.GetRawText(),
                Data = item.GetArrayLength() > 1 ? item[1] : default,
            };
        }

        return messages;
    }

    /// <summary>The recorded event names, so that every entry shares one string for each.</summary>
    private static string? KnownName(JsonElement name)
    {
        foreach (var known in RecordedEventNames)
        {
            if (name.ValueEquals(known))
            {
                return known;
            }
        }

        return null;
    }
}
