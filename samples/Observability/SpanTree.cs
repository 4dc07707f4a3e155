using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

/// <summary>Keeps the ended spans and prints them as a tree: the shape of a traced run at a glance.</summary>
internal sealed class SpanTree : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _ended = new();

    public override void OnEnd(Activity data) => _ended.Enqueue(data);

    /// <summary>Prints the spans under <paramref name="root"/>, children in start order, with their main attributes and events.</summary>
    public void Print(Activity root)
    {
        var byParent = _ended.Where(a => a.TraceId == root.TraceId).ToLookup(a => a.ParentSpanId);
        Print(root, byParent, "");
    }

    private static void Print(Activity span, ILookup<ActivitySpanId, Activity> byParent, string indent)
    {
        var tags = string.Join(" ", span.TagObjects
            .Where(t => t.Key is "comfyui.run.status" or "error.type" or "comfyui.run.cached_nodes" or "comfyui.file.name" or "http.response.status_code" or "comfyui.node.class_type")
            .Select(t => $"{t.Key}={t.Value}"));
        Console.WriteLine($"{indent}{span.DisplayName} [{span.Kind}, {span.Duration.TotalMilliseconds:0} ms] {tags}");
        foreach (var e in span.Events)
        {
            var attributes = string.Join(" ", e.Tags.Select(t => $"{t.Key}={t.Value}"));
            Console.WriteLine($"{indent}  · {e.Name} {attributes}");
        }

        foreach (var child in byParent[span.SpanId].OrderBy(c => c.StartTimeUtc))
        {
            Print(child, byParent, indent + "  ");
        }
    }
}
