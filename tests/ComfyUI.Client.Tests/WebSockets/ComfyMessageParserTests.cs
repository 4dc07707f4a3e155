using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client.Tests.WebSockets;

public sealed class ComfyMessageParserTests
{
    public static TheoryData<string> Transcripts => new(WsTranscript.Names);

    [Theory]
    [MemberData(nameof(Transcripts))]
    public void Every_captured_frame_parses_to_its_typed_record(string name)
    {
        var frames = WsTranscript.Load(name);
        Assert.NotEmpty(frames);
        foreach (var frame in frames)
        {
            var message = ComfyMessageParser.ParseOrError(frame.Bytes, frame.IsBinary);
            Assert.IsNotType<ProtocolErrorMessage>(message);
            Assert.IsNotType<UnknownMessage>(message);
            Assert.IsNotType<UnknownBinaryMessage>(message);
            if (frame.IsBinary)
            {
                var eventType = frame.Line.GetProperty("event_type").GetInt32();
                switch (message)
                {
                    case PreviewImageMessage preview:
                        Assert.Equal(1, eventType);
                        Assert.Equal("image/jpeg", preview.MimeType);
                        Assert.Equal(frame.Line.GetProperty("image_bytes").GetInt32(), preview.Image.Length);
                        Assert.Equal(0xFF, preview.Image.Span[0]);
                        Assert.Equal(0xD8, preview.Image.Span[1]);
                        break;
                    case PreviewImageWithMetadataMessage preview:
                        Assert.Equal(4, eventType);
                        var metadata = frame.Line.GetProperty("metadata");
                        Assert.Equal(metadata.GetProperty("prompt_id").GetString(), preview.PromptId);
                        Assert.Equal(metadata.GetProperty("node_id").GetString(), preview.NodeId);
                        Assert.Equal(metadata.GetProperty("display_node_id").GetString(), preview.DisplayNodeId);
                        Assert.Null(preview.ParentNodeId);
                        Assert.Equal("1", preview.RealNodeId);
                        Assert.Equal("image/png", preview.MimeType);
                        Assert.Equal(frame.Line.GetProperty("image_bytes").GetInt32(), preview.Image.Length);
                        Assert.Equal(0x89, preview.Image.Span[0]);
                        break;
                    case ProgressTextMessage text:
                        Assert.Equal(3, eventType);
                        Assert.Equal(frame.Line.GetProperty("node_id").GetString(), text.NodeId);
                        Assert.Equal(frame.Line.GetProperty("text").GetString(), text.Text);
                        break;
                    default:
                        Assert.Fail($"{name}#{frame.Index}: unexpected {message.GetType().Name}");
                        break;
                }

                continue;
            }

            var data = frame.Line.GetProperty("message").GetProperty("data");
            var expectedPromptId = data.TryGetProperty("prompt_id", out var p) ? p.GetString() : null;
            Assert.Equal(expectedPromptId, message.PromptId);
            Assert.Equal(frame.Type switch
            {
                "status" => typeof(StatusMessage),
                "feature_flags" => typeof(FeatureFlagsMessage),
                "execution_start" => typeof(ExecutionStartMessage),
                "execution_cached" => typeof(ExecutionCachedMessage),
                "executing" => typeof(ExecutingMessage),
                "progress" => typeof(ProgressMessage),
                "progress_state" => typeof(ProgressStateMessage),
                "executed" => typeof(ExecutedMessage),
                "execution_success" => typeof(ExecutionSuccessMessage),
                "execution_error" => typeof(ExecutionErrorMessage),
                "execution_interrupted" => typeof(ExecutionInterruptedMessage),
                _ => typeof(void),
            }, message.GetType());
            if (data.TryGetProperty("timestamp", out var ts))
            {
                var timestamp = message switch
                {
                    ExecutionStartMessage m => m.Timestamp,
                    ExecutionCachedMessage m => m.Timestamp,
                    ExecutionSuccessMessage m => m.Timestamp,
                    ExecutionErrorMessage m => m.Timestamp,
                    ExecutionInterruptedMessage m => m.Timestamp,
                    _ => null,
                };
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(ts.GetInt64()), timestamp);
            }
        }
    }

    [Fact]
    public void Status_on_connect_carries_sid_and_queue()
    {
        var frames = WsTranscript.Load("ws_connect_without_client_id");
        var status = Assert.IsType<StatusMessage>(ComfyMessageParser.ParseText(frames[0].Bytes));
        Assert.Equal("d3efdcbc0e2e4d9d8f918f2d19574051", status.Sid);
        Assert.Equal(0, status.QueueRemaining);
        Assert.Null(status.PromptId);
    }

    [Fact]
    public void Feature_flags_are_read()
    {
        var frames = WsTranscript.Load("ws_connect_feature_flags");
        var flags = Assert.IsType<FeatureFlagsMessage>(ComfyMessageParser.ParseText(frames[1].Bytes));
        Assert.True(flags.SupportsPreviewMetadata);
        Assert.Equal(104857600, flags.MaxUploadSize);
        Assert.False(flags.Assets);
        Assert.True(flags.IsTrue("node_replacements"));
        Assert.Equal(JsonValueKind.Object, flags.Flags["extension"].ValueKind);
    }

    [Fact]
    public void Executing_forms_and_executed_output()
    {
        var frames = WsTranscript.Load("ws_empty_image_save").Select(f => ComfyMessageParser.ParseOrError(f.Bytes, f.IsBinary)).ToList();
        var start = Assert.IsType<ExecutingMessage>(frames[6]);
        Assert.True(start.IsNodeStart);
        Assert.Equal("1", start.Node);
        Assert.Equal("1", start.DisplayNode);
        var end = Assert.IsType<ExecutingMessage>(frames[14]);
        Assert.True(end.IsPromptFinished);
        Assert.False(end.IsReconnectReplay);
        Assert.Equal("2577599a-889c-4c05-a9f6-045639f9b747", end.PromptId);
        var executed = Assert.IsType<ExecutedMessage>(frames[10]);
        Assert.Equal("2", executed.Node);
        var image = Assert.Single(executed.Output.Images);
        Assert.Equal("empty_00001_.png", image.Filename);
        Assert.Equal("sdk_test", image.Subfolder);
        var state = Assert.IsType<ProgressStateMessage>(frames[5]);
        var node = state.Nodes["1"];
        Assert.Equal("running", node.State);
        Assert.Equal(0, node.Value);
        Assert.Equal(1, node.Max);
        Assert.Null(node.ParentNodeId);
        var cached = Assert.IsType<ExecutionCachedMessage>(frames[4]);
        Assert.Empty(cached.Nodes);

        var replay = Assert.IsType<ExecutingMessage>(ComfyMessageParser.ParseText("""{"type":"executing","data":{"node":"12"}}"""u8));
        Assert.True(replay.IsReconnectReplay);
        Assert.False(replay.IsPromptFinished);
    }

    [Fact]
    public void Execution_error_and_interrupt()
    {
        var error = WsTranscript.Load("ws_execution_error").Select(f => ComfyMessageParser.ParseOrError(f.Bytes, f.IsBinary)).OfType<ExecutionErrorMessage>().Single();
        Assert.Equal("2", error.NodeId);
        Assert.Equal("SdkTestRaiseError", error.NodeType);
        Assert.Equal("ValueError", error.ExceptionType);
        Assert.StartsWith("boom from SdkTestRaiseError", error.ExceptionMessage, StringComparison.Ordinal);
        Assert.Equal(["1"], error.Executed);
        Assert.NotEmpty(error.Traceback);
        Assert.Equal(JsonValueKind.Object, error.CurrentInputs.ValueKind);
        Assert.Equal(JsonValueKind.Array, error.CurrentOutputs.ValueKind);
        Assert.False(error.IsExecutionBlocked);

        var blocked = Assert.IsType<ExecutionErrorMessage>(ComfyMessageParser.ParseText("""
            {"type":"execution_error","data":{"prompt_id":"p","node_id":"3","node_type":"X","executed":[],"exception_message":"blocked","exception_type":"ExecutionBlocked","traceback":[],"current_inputs":[],"current_outputs":[]}}
            """u8));
        Assert.True(blocked.IsExecutionBlocked);
        Assert.Null(blocked.Timestamp);
        Assert.Equal(JsonValueKind.Array, blocked.CurrentInputs.ValueKind);

        var interrupted = WsTranscript.Load("ws_execution_interrupted").Select(f => ComfyMessageParser.ParseOrError(f.Bytes, f.IsBinary)).OfType<ExecutionInterruptedMessage>().Single();
        Assert.Equal("1", interrupted.NodeId);
        Assert.Equal("SdkTestSlow", interrupted.NodeType);
        Assert.NotNull(interrupted.Timestamp);
    }

    [Fact]
    public void Progress_accepts_int_and_float_and_nulls()
    {
        var progress = Assert.IsType<ProgressMessage>(ComfyMessageParser.ParseText("""{"type":"progress","data":{"value":2.5,"max":10,"prompt_id":null,"node":null}}"""u8));
        Assert.Equal(2.5, progress.Value);
        Assert.Equal(10, progress.Max);
        Assert.Equal(0.25, progress.Fraction);
        Assert.Null(progress.PromptId);
        Assert.Null(progress.Node);
    }

    [Fact]
    public void Logs_are_read()
    {
        var logs = Assert.IsType<LogsMessage>(ComfyMessageParser.ParseText("""{"type":"logs","data":{"entries":[{"t":"2025-01-01T00:00:00","m":"hello\n"}],"size":{"cols":80,"rows":24}}}"""u8));
        Assert.Equal("hello\n", Assert.Single(logs.Entries).Message);
        Assert.Equal(80, logs.Size!.Cols);
    }

    [Fact]
    public void Unknown_type_keeps_its_payload_and_unknown_fields_are_ignored()
    {
        var unknown = Assert.IsType<UnknownMessage>(ComfyMessageParser.ParseText("""{"type":"my.custom","data":{"a":[1,2,{"b":null}]}}"""u8));
        Assert.Equal("my.custom", unknown.Type);
        Assert.Equal(2, unknown.Data.GetProperty("a")[1].GetInt32());

        var noData = Assert.IsType<UnknownMessage>(ComfyMessageParser.ParseText("""{"type":"ping"}"""u8));
        Assert.Equal(JsonValueKind.Undefined, noData.Data.ValueKind);

        var success = Assert.IsType<ExecutionSuccessMessage>(ComfyMessageParser.ParseText("""{"type":"execution_success","data":{"prompt_id":"x","timestamp":1,"extra_field":{"deep":[1]}},"also":1}"""u8));
        Assert.Equal("x", success.PromptId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"type\":\"status\",\"data\":{\"status\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"data\":{}}")]
    [InlineData("{\"type\":5,\"data\":{}}")]
    [InlineData("{\"type\":\"progress\",\"data\":{\"value\":\"abc\",\"max\":1}}")]
    [InlineData("{\"type\":\"executed\",\"data\":{\"node\":\"1\",\"output\":[1]}}")]
    [InlineData("{\"type\":\"progress\",\"data\":[]}")]
    [InlineData("{\"type\":\"status\"}")]
    [InlineData("{\"type\":\"execution_start\",\"data\":{\"timestamp\":\"soon\"}}")]
    [InlineData("{\"type\":\"execution_cached\",\"data\":{\"nodes\":{}}}")]
    public void Malformed_text_frames_become_protocol_errors(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Throws<ComfyUIProtocolException>(() => ComfyMessageParser.ParseText(bytes));
        var error = Assert.IsType<ProtocolErrorMessage>(ComfyMessageParser.ParseOrError(bytes, isBinary: false));
        Assert.False(error.IsBinary);
        Assert.Equal(bytes, error.RawFrame.ToArray());
    }

    [Fact]
    public void Binary_layouts()
    {
        var jpeg = ComfyMessageParser.ParseBinary(Frame(1, U32(1), [0xFF, 0xD8, 0xFF]));
        Assert.Equal("image/jpeg", Assert.IsType<PreviewImageMessage>(jpeg).MimeType);
        var png = Assert.IsType<PreviewImageMessage>(ComfyMessageParser.ParseBinary(Frame(1, U32(2), [0x89, 0x50])));
        Assert.Equal("image/png", png.MimeType);
        Assert.Equal(2, png.Format);
        Assert.Equal([0x89, 0x50], png.Image.ToArray());
        Assert.Equal("application/octet-stream", Assert.IsType<PreviewImageMessage>(ComfyMessageParser.ParseBinary(Frame(1, U32(9)))).MimeType);

        var text = Assert.IsType<ProgressTextMessage>(ComfyMessageParser.ParseBinary(Frame(3, U32(4), "5:12"u8.ToArray(), "héllo"u8.ToArray())));
        Assert.Equal("5:12", text.NodeId);
        Assert.Equal("héllo", text.Text);

        var json = """{"node_id":"7","prompt_id":"p1","display_node_id":"6","parent_node_id":"5","real_node_id":"7","image_type":"image/jpeg"}"""u8.ToArray();
        var meta = Assert.IsType<PreviewImageWithMetadataMessage>(ComfyMessageParser.ParseBinary(Frame(4, U32(json.Length), json, [1, 2, 3])));
        Assert.Equal("p1", meta.PromptId);
        Assert.Equal("7", meta.NodeId);
        Assert.Equal("6", meta.DisplayNodeId);
        Assert.Equal("5", meta.ParentNodeId);
        Assert.Equal("image/jpeg", meta.MimeType);
        Assert.Equal([1, 2, 3], meta.Image.ToArray());

        var unknown = Assert.IsType<UnknownBinaryMessage>(ComfyMessageParser.ParseBinary(Frame(42, [9, 8])));
        Assert.Equal(42, unknown.EventType);
        Assert.Equal([9, 8], unknown.Payload.ToArray());
    }

    [Fact]
    public void Payloads_are_owned_copies()
    {
        var frame = Frame(1, U32(2), [1, 2, 3]);
        var preview = Assert.IsType<PreviewImageMessage>(ComfyMessageParser.ParseBinary(frame));
        Array.Clear(frame);
        Assert.Equal([1, 2, 3], preview.Image.ToArray());

        var text = Encoding.UTF8.GetBytes("""{"type":"custom","data":{"x":"kept"}}""");
        var unknown = Assert.IsType<UnknownMessage>(ComfyMessageParser.ParseText(text));
        Array.Clear(text);
        Assert.Equal("kept", unknown.Data.GetProperty("x").GetString());
    }

    public static TheoryData<byte[]> TruncatedBinary => new(
        [],
        [0, 0],
        Frame(1),
        Frame(1, [0, 0]),
        Frame(3),
        Frame(3, U32(10), [1, 2]),
        Frame(4, U32(100), [1, 2]),
        Frame(4, U32(3), "abc"u8.ToArray()),
        Frame(4, U32(4), "null"u8.ToArray()));

    [Theory]
    [MemberData(nameof(TruncatedBinary))]
    public void Truncated_binary_frames_become_protocol_errors(byte[] frame)
    {
        Assert.Throws<ComfyUIProtocolException>(() => ComfyMessageParser.ParseBinary(frame));
        var error = Assert.IsType<ProtocolErrorMessage>(ComfyMessageParser.ParseOrError(frame, isBinary: true));
        Assert.True(error.IsBinary);
    }

    internal static byte[] U32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        return bytes;
    }

    internal static byte[] Frame(int eventType, params byte[][] parts) => [.. U32(eventType), .. parts.SelectMany(part => part)];
}
