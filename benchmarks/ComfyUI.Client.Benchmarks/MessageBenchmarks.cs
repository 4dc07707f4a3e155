using System.Buffers.Binary;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ComfyUI.Client.WebSockets;

namespace ComfyUI.Client.Benchmarks;

/// <summary>
/// One real WebSocket text frame of each message type parsed into its typed record by <see cref="ComfyMessageParser"/>, against the
/// plainest way: a <see cref="JsonDocument"/> of the frame and reading <c>type</c> (what a hand-rolled client does before switching on it).
/// </summary>
[MemoryDiagnoser]
public class TextMessageBenchmarks
{
    private Dictionary<string, byte[]> _frames = null!;
    private byte[] _frame = null!;

    [ParamsSource(nameof(Types))]
    public string Type { get; set; } = "";

    public static IEnumerable<string> Types() => DataFiles.TextFramesByType().Keys.Order(StringComparer.Ordinal);

    [GlobalSetup]
    public void Setup()
    {
        _frames = DataFiles.TextFramesByType();
        _frame = _frames[Type];
    }

    [Benchmark(Baseline = true)]
    public string JsonDocument_Baseline()
    {
        using var document = JsonDocument.Parse(_frame);
        return document.RootElement.GetProperty("type").GetString()!;
    }

    [Benchmark]
    public ComfyMessage ComfyMessageParser_Typed() => ComfyMessageParser.ParseText(_frame);
}

/// <summary>Real binary frames (preview JPEG, preview PNG with metadata, progress text) and a 64 KB preview.</summary>
[MemoryDiagnoser]
public class BinaryFrameBenchmarks
{
    private byte[] _frame = null!;

    [Params("preview_jpeg", "text", "preview_with_metadata", "preview_64KB")]
    public string Frame { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var frames = DataFiles.BinaryFramesByType();
        _frame = Frame switch
        {
            "preview_jpeg" => frames[ComfyMessageParser.PreviewImageEvent],
            "text" => frames[ComfyMessageParser.TextEvent],
            "preview_with_metadata" => frames[ComfyMessageParser.PreviewImageWithMetadataEvent],
            _ => Preview64K(),
        };
    }

    public static byte[] Preview64K()
    {
        var frame = new byte[64 * 1024];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 1);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 1);
        new Random(7).NextBytes(frame.AsSpan(8));
        return frame;
    }

    /// <summary>The plainest way: read the event type and copy the payload out.</summary>
    [Benchmark(Baseline = true)]
    public (int, byte[]) Plain_Baseline() => (BinaryPrimitives.ReadInt32BigEndian(_frame), _frame.AsSpan(4).ToArray());

    [Benchmark]
    public ComfyMessage ComfyMessageParser_Typed() => ComfyMessageParser.ParseBinary(_frame);
}
