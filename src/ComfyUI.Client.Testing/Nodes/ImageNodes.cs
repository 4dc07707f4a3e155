using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Execution;
using ComfyUI.Client.Testing.Png;

namespace ComfyUI.Client.Testing.Nodes;

internal sealed class EmptyImageNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context)
    {
        var width = (int)context.Get<long>("width", 512);
        var height = (int)context.Get<long>("height", 512);
        var batch = (int)context.Get<long>("batch_size", 1);
        var color = context.Get<long>("color", 0);
        var images = new List<RgbImage>();
        for (var i = 0; i < batch; i++)
        {
            var img = new RgbImage(width, height);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    img.Set(x, y, (byte)((color >> 16) & 0xFF), (byte)((color >> 8) & 0xFF), (byte)(color & 0xFF));
                }
            }

            images.Add(img);
        }

        return Task.FromResult(new NodeResult([images]));
    }
}

internal sealed class LoadImageNode : INode
{
    public async Task<NodeResult> RunAsync(NodeContext context)
    {
        var name = context.Get("image", string.Empty);
        var path = context.Files.ResolveAnnotated(name, "input");
        if (path is null || !File.Exists(path))
        {
            throw new NodeException("FileNotFoundError", $"[Errno 2] No such file or directory: '{name}'");
        }

        var bytes = await File.ReadAllBytesAsync(path, context.CancellationToken).ConfigureAwait(false);
        RgbImage image;
        try
        {
            image = PngCodec.Decode(bytes);
        }
        catch (InvalidDataException ex)
        {
            throw new NodeException("PIL.UnidentifiedImageError", $"cannot identify image file '{path}': {ex.Message}");
        }

        var mask = new RgbImage(image.Width, image.Height);
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            var m = (byte)(255 - image.Pixels[(i * 4) + 3]);
            mask.Pixels[i * 4] = m;
            mask.Pixels[(i * 4) + 1] = m;
            mask.Pixels[(i * 4) + 2] = m;
            mask.Pixels[(i * 4) + 3] = 255;
            image.Pixels[(i * 4) + 3] = 255;
        }

        return new NodeResult([new List<RgbImage> { image }, new List<RgbImage> { mask }]);
    }
}

internal sealed class ImageInvertNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context)
    {
        var result = new List<RgbImage>();
        foreach (var source in context.Images("image"))
        {
            var img = source.Clone();
            for (var i = 0; i < img.Pixels.Length; i += 4)
            {
                img.Pixels[i] = (byte)(255 - img.Pixels[i]);
                img.Pixels[i + 1] = (byte)(255 - img.Pixels[i + 1]);
                img.Pixels[i + 2] = (byte)(255 - img.Pixels[i + 2]);
            }

            result.Add(img);
        }

        return Task.FromResult(new NodeResult([result]));
    }
}

internal sealed class SaveImageNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context) => SaveAsync(context, context.Get("filename_prefix", "ComfyUI"), context.Files.Output, "output");

    internal static async Task<NodeResult> SaveAsync(NodeContext context, string filenamePrefix, string baseDir, string type)
    {
        var images = context.Images("images");
        var slash = filenamePrefix.LastIndexOf('/');
        var subfolder = slash >= 0 ? filenamePrefix[..slash] : string.Empty;
        var prefix = slash >= 0 ? filenamePrefix[(slash + 1)..] : filenamePrefix;
        var dir = FileStore.SafeCombine(baseDir, subfolder) ?? throw new NodeException("Exception", "Saving image outside the output folder is not allowed.");
        Directory.CreateDirectory(dir);
        var counter = FileStore.NextCounter(dir, prefix);
        var list = new JsonArray();
        foreach (var image in images)
        {
            var file = $"{prefix}_{counter:D5}_.png";
            var png = PngCodec.Encode(image, context.PngText());
            await File.WriteAllBytesAsync(Path.Combine(dir, file), png, context.CancellationToken).ConfigureAwait(false);
            list.Add(new JsonObject { ["filename"] = file, ["subfolder"] = subfolder, ["type"] = type });
            counter++;
        }

        return new NodeResult([images], new JsonObject { ["images"] = list });
    }
}

internal sealed class PreviewImageNode : INode
{
    public Task<NodeResult> RunAsync(NodeContext context)
    {
        var letters = new char[5];
        for (var i = 0; i < letters.Length; i++)
        {
            letters[i] = (char)('a' + Random.Shared.Next(26));
        }

        return SaveImageNode.SaveAsync(context, "ComfyUI_temp_" + new string(letters), context.Files.Temp, "temp");
    }
}
