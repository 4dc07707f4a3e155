// Every server message as a typed record: open the socket, queue a prompt through the same client id, print what arrives.
using ComfyUI.Client;
using ComfyUI.Client.Testing;

await using var fake = Environment.GetEnvironmentVariable("COMFYUI_URL") is null ? await FakeComfyUIServer.StartAsync() : null;
await using var client = new ComfyUIClient(fake?.BaseAddress ?? new Uri(Environment.GetEnvironmentVariable("COMFYUI_URL")!));

await using var socket = await client.ConnectWebSocketAsync();   // same client id as client.Queue: this prompt's events come here
var workflow = new WorkflowBuilder()
    .Add("EmptyImage", out var image, n => n.Set("width", 32).Set("height", 32).Set("batch_size", 1).Set("color", 0))
    .Add("ImageInvert", out var inverted, n => n.SetLink("image", image, 0))
    .Add("SaveImage", n => n.SetLink("images", inverted, 0).Set("filename_prefix", "samples/ws"))
    .Build();
var queued = await client.Queue.QueuePromptAsync(workflow.ToRequest());

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await foreach (var message in socket.ReadAllAsync(timeout.Token))
{
    switch (message)
    {
        case StatusMessage status: Console.WriteLine($"status: {status.Status.ExecInfo.QueueRemaining} in queue"); break;
        case ExecutingMessage { Node: { } node } when message.PromptId == queued.PromptId: Console.WriteLine($"executing node {node}"); break;
        case ProgressMessage progress: Console.WriteLine($"progress {progress.Value}/{progress.Max}"); break;
        case PreviewImageWithMetadataMessage preview: Console.WriteLine($"preview of node {preview.NodeId}: {preview.MimeType}, {preview.Image.Length} bytes"); break;
        case ExecutedMessage executed: Console.WriteLine($"node {executed.Node} output: {string.Join(", ", executed.Output.Images.Select(i => i.Filename))}"); break;
        case ExecutionErrorMessage error: Console.WriteLine($"error at {error.NodeType}: {error.ExceptionMessage}"); break;
        case ReconnectingMessage reconnecting: Console.WriteLine($"reconnecting (attempt {reconnecting.Attempt})"); break;
        case ExecutionSuccessMessage when message.PromptId == queued.PromptId:
            Console.WriteLine("done");
            return;
    }
}
