using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.Benchmarks;

/// <summary>The real <c>/history/{id}</c> answer of a finished prompt (what a run reads once at its end).</summary>
[MemoryDiagnoser]
public class HistoryBenchmarks
{
    private byte[] _body = null!;
    private string _promptId = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = DataFiles.HistoryEntry();
        using var document = JsonDocument.Parse(_body);
        _promptId = document.RootElement.EnumerateObject().First().Name;
    }

    /// <summary>The plainest way: a JsonDocument, reading the status and the output images.</summary>
    [Benchmark(Baseline = true)]
    public int JsonDocument_Baseline()
    {
        using var document = JsonDocument.Parse(_body);
        var entry = document.RootElement.EnumerateObject().First().Value;
        var ok = entry.GetProperty("status").GetProperty("status_str").GetString() == "success";
        return ok ? entry.GetProperty("outputs").GetProperty("2").GetProperty("images").GetArrayLength() : 0;
    }

    /// <summary>The SDK's path (<c>History.GetAsync</c>, every tracked run): the typed entry (prompt, outputs, status messages, meta) read by hand.</summary>
    [Benchmark]
    public int Typed_HistoryEntry()
    {
        var entry = HistoryEntryReader.ReadEntry(_body, _promptId)!;
        return entry.Outputs["2"].Images.Count;
    }

    /// <summary>The same typed entry through the source-generated context (<c>History.ListAsync</c>'s path).</summary>
    [Benchmark]
    public int Typed_HistoryEntry_Generated()
    {
        var entries = JsonSerializer.Deserialize(_body, ComfyJsonContext.Default.DictionaryStringHistoryEntry)!;
        return entries.Values.First().Outputs["2"].Images.Count;
    }
}
