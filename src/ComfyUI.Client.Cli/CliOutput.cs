using System.Text;
using System.Text.Json;

namespace ComfyUI.Client.Cli;

/// <summary>
/// Where commands write: human-readable lines, or with <c>--json</c> one JSON object per line (written with <see cref="Utf8JsonWriter"/>,
/// no reflection). Errors go to the error writer as one line.
/// </summary>
internal sealed class CliOutput(TextWriter stdout, TextWriter stderr, bool json, bool verbose)
{
    public bool Json { get; } = json;

    public bool Verbose { get; } = verbose;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Writes a human line (skipped in JSON mode).</summary>
    public void Line(string text)
    {
        if (!Json)
        {
            Out.WriteLine(text);
        }
    }

    /// <summary>Writes one JSON object as a line (JSON mode only).</summary>
    public void Object(Action<Utf8JsonWriter> write)
    {
        if (!Json)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes a JSON value as a line in JSON mode, or its indented text in human mode.</summary>
    public void Raw(JsonElement value)
    {
        if (Json)
        {
            Out.WriteLine(value.GetRawText());
        }
        else
        {
            Out.WriteLine(JsonSerializer.Serialize(value, CliJsonContext.Default.JsonElement));
        }
    }

    public void Fail(string message) => Error.WriteLine("error: " + message);

    /// <summary>Writes an open JSON object (a node's output, the server's flags) as a property.</summary>
    public static void WriteObject(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, JsonElement> members)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in members)
        {
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a list of strings as a property.</summary>
    public static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class CliJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
