using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace ComfyUI.Client.Benchmarks;

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
