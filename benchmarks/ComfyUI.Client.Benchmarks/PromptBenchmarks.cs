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

/// <summary>The real /object_info (1.5 MB, 861 nodes).</summary>
[MemoryDiagnoser]
public class ObjectInfoBenchmarks
{
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup() => _body = DataFiles.ObjectInfo();

    /// <summary>The plainest way: a JsonDocument over the body, walking every node's class name.</summary>
    [Benchmark(Baseline = true)]
    public int JsonDocument_Baseline()
    {
        using var document = JsonDocument.Parse(_body);
        var count = 0;
        foreach (var node in document.RootElement.EnumerateObject())
        {
            count += node.Value.GetProperty("name").GetString()!.Length > 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// The SDK's path for <c>GET /object_info</c> once the body is read: one validating pass that indexes it by class name (definitions
    /// are built on first access), then one definition looked up.
    /// </summary>
    [Benchmark]
    public int Typed_Index_And_Lookup()
    {
        var map = Read();
        return map["KSampler"].RequiredInputs.Count;
    }

    /// <summary>The same, then all 861 typed definitions built (what enumerating the whole dictionary costs).</summary>
    [Benchmark]
    public int Typed_All_Definitions()
    {
        var map = Read();
        var inputs = 0;
        foreach (var definition in map.Values)
        {
            inputs += definition.RequiredInputs.Count + definition.OptionalInputs.Count;
        }

        return inputs;
    }

    private NodeDefinitionMap Read() => NodeDefinitionMap.Create(_body)!;
}
