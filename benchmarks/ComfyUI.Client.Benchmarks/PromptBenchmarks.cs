using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.Benchmarks;

/// <summary>A 50-node prompt to the <c>POST /prompt</c> body.</summary>
[MemoryDiagnoser]
public class PromptBenchmarks
{
    private Workflow _workflow = null!;
    private JsonDocument _document = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        _workflow = Prompts.Fifty();
        _document = JsonDocument.Parse(_workflow.ToJson());
    }

    [GlobalCleanup]
    public void Cleanup() => _document.Dispose();

    /// <summary>The plainest way: the prompt held as a JsonDocument, written into an envelope with Utf8JsonWriter.</summary>
    [Benchmark(Baseline = true)]
    public byte[] JsonDocument_Body_Baseline()
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("prompt");
            _document.RootElement.WriteTo(writer);
            writer.WriteString("client_id", "bench");
            writer.WriteString("prompt_id", "3f1c2b1e-8d5e-4c3a-9a7b-0c6f4e2d1a90");
            writer.WriteEndObject();
        }

        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>The SDK's path: the workflow's prompt (a copy) in a QueuePromptBody, serialized by the source-generated context.</summary>
    [Benchmark]
    public byte[] Workflow_QueuePromptBody()
    {
        var body = new QueuePromptBody { Prompt = _workflow.ToJsonObject(), ClientId = "bench", PromptId = "3f1c2b1e-8d5e-4c3a-9a7b-0c6f4e2d1a90" };
        return JsonSerializer.SerializeToUtf8Bytes(body, ComfyJsonContext.Default.QueuePromptBody);
    }

    /// <summary>The workflow to JSON text (indented after a change).</summary>
    [Benchmark]
    public string Workflow_ToJson() => _workflow.ToJson();
}
