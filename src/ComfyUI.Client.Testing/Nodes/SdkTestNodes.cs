using System.Diagnostics;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Png;

namespace ComfyUI.Client.Testing.Nodes;

internal sealed class SdkTestProgressImageNode : INode
{
    private static readonly Lazy<byte[]> Jpeg = new(() =>
    {
        using var stream = typeof(SdkTestProgressImageNode).Assembly.GetManifestResourceStream("ComfyUI.Client.Testing.preview.jpg")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public async Task<NodeResult> RunAsync(NodeContext context)
    {
        var steps = context.Get<long>("steps", 5);
        var delay = context.Get<double>("delay_seconds", 0.2);
        var width = (int)context.Get<long>("width", 64);
        var height = (int)context.Get<long>("height", 64);
        var format = context.Get("preview_format", "JPEG");
        var sendText = context.Get("send_progress_text", true);
        var seed = context.Get<long>("seed", 0);
        RgbImage? frame = null;
        for (long i = 0; i < steps; i++)
        {
            if (delay > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(delay), context.CancellationToken).ConfigureAwait(false);
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            frame = Frame(width, height, i + 1, steps, seed);
            PreviewImage? preview = format switch
            {
                "PNG" => new PreviewImage(2, PngCodec.Encode(frame)),
                "JPEG" => new PreviewImage(1, Jpeg.Value),
                _ => null,
            };
            if (sendText)
            {
                context.SendText($"step {i + 1}/{steps}");
            }

            context.ReportProgress(i + 1, steps, preview);
        }

        return new NodeResult([new List<RgbImage> { frame! }]);
    }

    private static RgbImage Frame(int width, int height, long step, long steps, long seed)
    {
        var img = new RgbImage(width, height);
        var t = (double)step / Math.Max(steps, 1);
        var b = (byte)Math.Round(((t + (seed % 7 / 7.0)) % 1.0) * 255);
        var filled = (int)Math.Round(width * t);
        var stripe = Math.Max(1, height / 16);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (y < stripe && x < filled)
                {
                    img.Set(x, y, 255, 255, 255);
                }
                else
                {
                    img.Set(x, y, (byte)Math.Round(255.0 * x / Math.Max(1, width - 1)), (byte)Math.Round(255.0 * y / Math.Max(1, height - 1)), b);
                }
            }
        }

        return img;
    }
}

internal sealed class SdkTestRaiseErrorNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context)
    {
        var type = context.Get("exception_type", "RuntimeError");
        var message = context.Get("message", "SdkTestRaiseError: intentional failure");
        if (type is not ("RuntimeError" or "ValueError" or "KeyError" or "TypeError"))
        {
            type = "RuntimeError";
        }

        throw new NodeException(type, type == "KeyError" ? $"'{message}'" : message);
    }
}

internal sealed class SdkTestSlowNode : INode
{
    public async Task<NodeResult> RunAsync(NodeContext context)
    {
        var seconds = context.Get<double>("seconds", 30);
        var poll = context.Get<double>("poll_seconds", 0.05);
        var report = context.Get("report_progress", true);
        var total = Math.Max(1, (long)Math.Round(seconds, MidpointRounding.ToEven));
        var watch = Stopwatch.StartNew();
        long last = -1;
        while (true)
        {
            var elapsed = watch.Elapsed.TotalSeconds;
            if (elapsed >= seconds)
            {
                break;
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            var whole = (long)elapsed;
            if (report && whole != last)
            {
                last = whole;
                context.ReportProgress(Math.Min(whole, total), total);
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Min(poll, Math.Max(0, seconds - elapsed))), context.CancellationToken).ConfigureAwait(false);
        }

        if (report)
        {
            context.ReportProgress(total, total);
        }

        var slept = Math.Round(watch.Elapsed.TotalSeconds, 3);
        return new NodeResult([slept], new JsonObject { ["slept_seconds"] = new JsonArray(Json.Float(slept)) });
    }
}

internal sealed class SdkTestTextOutputNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context)
    {
        var text = context.Get("text", string.Empty);
        var seed = context.Get<long>("seed", 0);
        if (context.Inputs.TryGetValue("number", out var number) && number is not null)
        {
            text = $"{text} {number}";
        }

        context.SendText(text);
        return Task.FromResult(new NodeResult([text], new JsonObject { ["text"] = new JsonArray(JsonValue.Create(text)), ["seed"] = new JsonArray(JsonValue.Create(seed)) }));
    }
}

internal sealed class SdkTestImageSizeNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context)
    {
        var images = context.Images("image");
        return Task.FromResult(new NodeResult([(long)images[0].Width, (long)images[0].Height]));
    }
}
