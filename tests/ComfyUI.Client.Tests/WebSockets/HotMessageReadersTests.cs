using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ComfyUI.Client.Serialization;
using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client.Tests.WebSockets;

/// <summary>The hand-written readers of the frequent messages read exactly what the source-generated context reads.</summary>
public sealed class HotMessageReadersTests
{
    public static TheoryData<string> Transcripts => new(WsTranscript.Names);

    [Theory]
    [MemberData(nameof(Transcripts))]
    public void Every_captured_frame_reads_as_the_source_generated_context_reads_it(string name)
    {
        foreach (var frame in WsTranscript.Load(name).Where(f => !f.IsBinary))
        {
            AssertSameAsContext(frame.Bytes);
        }
    }

    [Theory]
    [InlineData("""{"type":"progress","data":{"value":"3","max":"NaN","prompt_id":null,"node":"7","extra":{"a":[1,{"b":2}]}}}""")]
    [InlineData("""{"type":"progress","data":{"value":1e3,"max":"-Infinity"}}""")]
    [InlineData("""{"type":"progress","data":{/* c */ "value":1,"max":2,}}""")]
    [InlineData("""{"type":"progress","data":{"max":4,"value":1,"value":2}}""")]
    [InlineData("""{"type":"executing","data":{"node":null,"prompt_id":"p"}}""")]
    [InlineData("""{"type":"executing","data":{"node":"5","display_node":"5:1"}}""")]
    [InlineData("""{"type":"execution_start","data":{"prompt_id":"p","timestamp":"1795888119116"}}""")]
    [InlineData("""{"type":"execution_start","data":{"prompt_id":"p","timestamp":1.5e20}}""")]
    [InlineData("""{"type":"execution_success","data":{"prompt_id":"\u0070","timestamp":null}}""")]
    [InlineData("""{"type":"execution_cached","data":{"nodes":["1","2"],"prompt_id":"p"}}""")]
    [InlineData("""{"type":"executed","data":{"node":"9","output":null,"prompt_id":"p"}}""")]
    [InlineData("""{"type":"executed","data":{"node":"9","output":{"images":[{"filename":"a.png","subfolder":"","type":"output"}],"text":["x"]}}}""")]
    [InlineData("""{"type":"progress_state","data":{"prompt_id":"p","nodes":{}}}""")]
    [InlineData("""{"type":"status","data":{"status":{"exec_info":{"queue_remaining":"3","x":1},"y":[]},"sid":"abc"}}""")]
    [InlineData("""{"type":"status","data":{"status":{"exec_info":{}}}}""")]
    [InlineData("""{"type":"progress_state","data":{"prompt_id":"p","nodes":{"1":{"value":"0.5","max":1,"state":"running","node_id":"1","extra":[]}}}}""")]
    public void Edge_cases_read_as_the_source_generated_context_reads_them(string frame) => AssertSameAsContext(Encoding.UTF8.GetBytes(frame));

    [Fact]
    public void Missing_lists_and_maps_read_as_empty_not_null()
    {
        // The source-generated init-only path sets absent members to null; the readers keep the records' non-null defaults.
        Assert.Empty(Assert.IsType<ExecutionCachedMessage>(ComfyMessageParser.ParseText("""{"type":"execution_cached","data":{}}"""u8)).Nodes);
        Assert.Empty(Assert.IsType<ProgressStateMessage>(ComfyMessageParser.ParseText("""{"type":"progress_state","data":{"nodes":null}}"""u8)).Nodes);
        Assert.Empty(Assert.IsType<ExecutedMessage>(ComfyMessageParser.ParseText("""{"type":"executed","data":{"node":"1"}}"""u8)).Output.Raw);
    }

    [Theory]
    [InlineData("""{"type":"progress","data":{"value":"abc","max":1}}""")]
    [InlineData("""{"type":"progress","data":{"value":null,"max":1}}""")]
    [InlineData("""{"type":"progress","data":{"value":1,"max":1,"node":5}}""")]
    [InlineData("""{"type":"executing","data":{"node":["1"]}}""")]
    [InlineData("""{"type":"execution_cached","data":{"nodes":{}}}""")]
    [InlineData("""{"type":"execution_cached","data":{"nodes":[1]}}""")]
    [InlineData("""{"type":"execution_start","data":{"timestamp":"soon"}}""")]
    [InlineData("""{"type":"executed","data":{"node":"1","output":[1]}}""")]
    [InlineData("""{"type":"progress_state","data":{"nodes":[]}}""")]
    [InlineData("""{"type":"progress_state","data":{"nodes":{"1":5}}}""")]
    [InlineData("""{"type":"status","data":{"status":{"exec_info":{"queue_remaining":1.5}}}}""")]
    [InlineData("""{"type":"status","data":{"status":[]}}""")]
    public void Malformed_data_is_rejected_like_the_source_generated_context_rejects_it(string frame)
    {
        var bytes = Encoding.UTF8.GetBytes(frame);
        Assert.Throws<ComfyUIProtocolException>(() => ComfyMessageParser.ParseText(bytes));
        var data = Data(bytes, out var type);
        Assert.ThrowsAny<Exception>(() => ContextRead(type, data));
    }

    private static void AssertSameAsContext(byte[] frame)
    {
        var data = Data(frame, out var type);
        var expected = ContextRead(type, data);
        if (expected is null)
        {
            return; // not a type with a hand-written reader
        }

        var actual = ComfyMessageParser.ParseText(frame);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(Serialize(expected), Serialize(actual));
    }

    private static ReadOnlyMemory<byte> Data(byte[] frame, out string type)
    {
        using var document = JsonDocument.Parse(frame, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        type = document.RootElement.GetProperty("type").GetString()!;
        return Encoding.UTF8.GetBytes(document.RootElement.GetProperty("data").GetRawText());
    }

    private static ComfyMessage? ContextRead(string type, ReadOnlyMemory<byte> data)
    {
        var context = ComfyJsonContext.Default;
        return type switch
        {
            "progress" => Read(data, context.ProgressMessage),
            "executing" => Read(data, context.ExecutingMessage),
            "progress_state" => Read(data, context.ProgressStateMessage),
            "execution_start" => Read(data, context.ExecutionStartMessage),
            "execution_cached" => Read(data, context.ExecutionCachedMessage),
            "executed" => Read(data, context.ExecutedMessage),
            "execution_success" => Read(data, context.ExecutionSuccessMessage),
            "status" => Read(data, context.StatusMessage),
            _ => null,
        };
    }

    private static T Read<T>(ReadOnlyMemory<byte> data, JsonTypeInfo<T> info) => JsonSerializer.Deserialize(data.Span, info)!;

    private static string Serialize(ComfyMessage message) => message switch
    {
        ProgressMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ProgressMessage),
        ExecutingMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ExecutingMessage),
        ProgressStateMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ProgressStateMessage),
        ExecutionStartMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ExecutionStartMessage),
        ExecutionCachedMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ExecutionCachedMessage),
        ExecutedMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ExecutedMessage),
        ExecutionSuccessMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.ExecutionSuccessMessage),
        StatusMessage m => JsonSerializer.Serialize(m, ComfyJsonContext.Default.StatusMessage),
        _ => throw new InvalidOperationException(message.GetType().Name),
    };
}
