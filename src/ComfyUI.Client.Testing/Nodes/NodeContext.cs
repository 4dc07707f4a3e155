using ComfyUI.Client.Testing.Execution;
using ComfyUI.Client.Testing.Png;

namespace ComfyUI.Client.Testing.Nodes;

/// <summary>What a running node sees: its inputs and the server's side channels.</summary>
internal sealed class NodeContext
{
    private readonly Executor executor;

    public NodeContext(Executor executor, string nodeId, string classType, Dictionary<string, object?> inputs, FileStore files, CancellationToken cancellationToken)
    {
        this.executor = executor;
        NodeId = nodeId;
        ClassType = classType;
        Inputs = inputs;
        Files = files;
        CancellationToken = cancellationToken;
    }

    public string NodeId { get; }

    public string ClassType { get; }

    public Dictionary<string, object?> Inputs { get; }

    public FileStore Files { get; }

    public CancellationToken CancellationToken { get; }

    public Dictionary<string, string> PngText() => executor.PngText();

    public T Get<T>(string name, T fallback)
    {
        if (Inputs.TryGetValue(name, out var v) && v is not null)
        {
            if (v is T t)
            {
                return t;
            }

            return (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        return fallback;
    }

    public IReadOnlyList<RgbImage> Images(string name) => Inputs.TryGetValue(name, out var v) && v is IReadOnlyList<RgbImage> list ? list : throw new NodeException("TypeError", $"input '{name}' is not an IMAGE");

    public void ReportProgress(long value, long max, PreviewImage? preview = null) => executor.ReportProgress(NodeId, value, max, preview);

    public void SendText(string text) => executor.SendText(NodeId, text);
}

/// <summary>A live preview: format 1 = JPEG, 2 = PNG.</summary>
internal sealed record PreviewImage(int Format, byte[] Bytes);
