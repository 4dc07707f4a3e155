using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Conversion;

/// <summary>
/// ComfyUI images (a PNG and a WebP from comfyanonymous/ComfyUI_examples), PNG text chunks written and read back, and Workflow.LoadAsync
/// over every form: API JSON, UI JSON (schema or client), PNG/WebP workflow or prompt.
/// </summary>
public sealed class ImageAndLoadingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-images-" + Guid.NewGuid().ToString("N"));

    public ImageAndLoadingTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NodeSchema Schema => RuleConversionTests.Schema.Value;

    private static string Image(string name) => Path.Combine(Fixture.Directory, "conversion", "images", name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_comfyui_png_carries_the_prompt_and_the_workflow_as_text_chunks()
    {
        var metadata = await ComfyImageMetadata.ReadAsync(Image("lora_multiple.png"), Ct);

        Assert.Equal(ComfyImageFormat.Png, metadata.Format);
        var prompt = JsonNode.Parse(metadata.Prompt!)!.AsObject();
        var workflow = JsonNode.Parse(metadata.Workflow!)!.AsObject();
        Assert.Contains(prompt, p => p.Value!["class_type"]!.GetValue<string>() == "LoraLoader");
        Assert.IsType<JsonArray>(workflow["nodes"]);
    }

    [Fact]
    public async Task A_comfyui_webp_carries_them_as_exif_fields()
    {
        var metadata = await ComfyImageMetadata.ReadAsync(Image("mochi_simple_checkpoint.first-frame.webp"), Ct);

        Assert.Equal(ComfyImageFormat.WebP, metadata.Format);
        Assert.Contains("SaveAnimatedWEBP", metadata.Prompt!, StringComparison.Ordinal);
        Assert.IsType<JsonArray>(JsonNode.Parse(metadata.Workflow!)!["nodes"]);
    }

    [Fact]
    public async Task Text_chunks_written_into_a_png_read_back_and_the_image_data_is_kept()
    {
        var target = Path.Combine(_folder, "out.png");
        var fields = new Dictionary<string, string> { ["prompt"] = "{\"1\": {}}", ["workflow"] = "{\"nodes\": [], \"note\": \"日本語\"}", ["extra"] = "café" };
        await using (var source = File.OpenRead(Image("lora_multiple.png")))
        await using (var destination = File.Create(target))
        {
            await ComfyImageMetadata.WritePngAsync(source, destination, fields, Ct);
        }

        var metadata = await ComfyImageMetadata.ReadAsync(target, Ct);
        Assert.Equal(fields["prompt"], metadata.Prompt);
        Assert.Equal(fields["workflow"], metadata.Workflow);    // not Latin-1: written as iTXt (UTF-8)
        Assert.Equal("café", metadata.Fields["extra"]);          // Latin-1: tEXt
        Assert.Equal(Chunks(File.ReadAllBytes(Image("lora_multiple.png")), "IDAT"), Chunks(File.ReadAllBytes(target), "IDAT"));
        Assert.Equal(3, Chunks(File.ReadAllBytes(target), "tEXt").Count + Chunks(File.ReadAllBytes(target), "iTXt").Count);
    }

    [Fact]
    public async Task Compressed_text_chunks_are_read_and_non_images_are_refused()
    {
        // A minimal PNG: signature, a zTXt and an iTXt (compressed), IEND.
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "zTXt", [.. "prompt"u8, 0, 0, .. Deflate("{\"a\": 1}"u8.ToArray())]);
        WriteChunk(png, "iTXt", [.. "workflow"u8, 0, 1, 0, 0, 0, .. Deflate(Encoding.UTF8.GetBytes("{\"nodes\": [\"ü\"]}"))]);
        WriteChunk(png, "IEND", []);
        png.Position = 0;

        var metadata = await ComfyImageMetadata.ReadAsync(png, Ct);
        Assert.Equal("{\"a\": 1}", metadata.Prompt);
        Assert.Equal("{\"nodes\": [\"ü\"]}", metadata.Workflow);

        var error = await Assert.ThrowsAsync<FormatException>(() => ComfyImageMetadata.ReadAsync(new MemoryStream("{\"x\": 1}"u8.ToArray()), Ct));
        Assert.Contains("PNG or WebP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_says_what_it_found_in_each_form()
    {
        var png = Image("lora_multiple.png");
        var metadata = await ComfyImageMetadata.ReadAsync(png, Ct);

        var fromWorkflow = await Workflow.LoadAsync(png, Schema, cancellationToken: Ct);
        Assert.Equal(WorkflowSourceFormat.ImageWorkflow, fromWorkflow.SourceFormat);
        Assert.Empty(PromptComparer.Differences(JsonNode.Parse(metadata.Prompt!)!.AsObject(), fromWorkflow.ToJsonObject(), Schema));

        var fromPrompt = await Workflow.LoadAsync(png, Schema, new WorkflowLoadOptions { ImagePart = WorkflowImagePart.Prompt }, Ct);
        Assert.Equal(WorkflowSourceFormat.ImagePrompt, fromPrompt.SourceFormat);
        Assert.Equal(metadata.Prompt, fromPrompt.ToJson());
        Assert.Equal(WorkflowSourceFormat.ImagePrompt, (await Workflow.LoadAsync(png, Ct)).SourceFormat);

        var webp = await Workflow.LoadAsync(Image("mochi_simple_checkpoint.first-frame.webp"), Schema, cancellationToken: Ct);
        Assert.Equal(WorkflowSourceFormat.ImageWorkflow, webp.SourceFormat);
        Assert.Single(webp.NodesOfType("SaveAnimatedWEBP"));

        var uiPath = Path.Combine(_folder, "ui.json");
        await File.WriteAllTextAsync(uiPath, metadata.Workflow, Ct);
        var ui = await Workflow.LoadAsync(uiPath, Schema, cancellationToken: Ct);
        Assert.Equal(WorkflowSourceFormat.UiWorkflow, ui.SourceFormat);
        Assert.Equal(fromWorkflow.ToJson(), ui.ToJson());
        // The editor's form is kept (a copy each time), to send as extra_pnginfo like the editor does; clones keep it too.
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(JsonNode.Parse(metadata.Workflow!), ui.UiWorkflow));
        Assert.NotSame(ui.UiWorkflow, ui.UiWorkflow);
        Assert.Equal(WorkflowSourceFormat.UiWorkflow, ui.Clone().SourceFormat);
        Assert.NotNull(ui.Clone().UiWorkflow);
        Assert.Null(fromPrompt.UiWorkflow);

        var apiPath = Path.Combine(_folder, "api.json");
        await File.WriteAllTextAsync(apiPath, metadata.Prompt, Ct);
        Assert.Equal(WorkflowSourceFormat.ApiPrompt, (await Workflow.LoadAsync(apiPath, Schema, cancellationToken: Ct)).SourceFormat);
        Assert.Equal(WorkflowSourceFormat.ApiPrompt, (await Workflow.LoadAsync(apiPath, Ct)).SourceFormat);

        // Without a schema a UI workflow cannot be converted: the error says how to load it.
        var noSchema = await Assert.ThrowsAsync<FormatException>(() => Workflow.LoadAsync(uiPath, Ct));
        Assert.Contains(uiPath, noSchema.Message, StringComparison.Ordinal);
        Assert.Contains("Workflow.LoadAsync(path, client)", noSchema.Message, StringComparison.Ordinal);
        Assert.Contains("schema", Assert.Throws<FormatException>(() => Workflow.Parse(metadata.Workflow!)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_with_a_client_reads_object_info_only_for_a_ui_workflow()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/object_info").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("object_info.json")));
        var metadata = await ComfyImageMetadata.ReadAsync(Image("lora_multiple.png"), Ct);
        var apiPath = Path.Combine(_folder, "api.json");
        var uiPath = Path.Combine(_folder, "ui.json");
        await File.WriteAllTextAsync(apiPath, metadata.Prompt, Ct);
        await File.WriteAllTextAsync(uiPath, metadata.Workflow, Ct);

        await Workflow.LoadAsync(apiPath, mock.Client, cancellationToken: Ct);
        await Workflow.LoadAsync(Image("lora_multiple.png"), mock.Client, new WorkflowLoadOptions { ImagePart = WorkflowImagePart.Prompt }, Ct);
        Assert.Empty(mock.Server.LogEntries);

        var ui = await Workflow.LoadAsync(uiPath, mock.Client, cancellationToken: Ct);
        await Workflow.LoadAsync(Image("lora_multiple.png"), mock.Client, cancellationToken: Ct);
        Assert.Equal(WorkflowSourceFormat.UiWorkflow, ui.SourceFormat);
        Assert.Single(mock.Server.LogEntries);   // fetched once, then cached
    }

    [Fact]
    public async Task A_workflow_that_cannot_be_converted_names_the_file_and_the_nodes()
    {
        var path = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(path, RuleConversionTests.Ui(RuleConversionTests.UiNode(3, "NoSuchNode")), Ct);

        var error = await Assert.ThrowsAsync<WorkflowConversionException>(() => Workflow.LoadAsync(path, Schema, cancellationToken: Ct));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("node 3 (NoSuchNode)", error.Message, StringComparison.Ordinal);
        Assert.Equal("3", Assert.Single(error.Diagnostics).NodeId);
    }

    private static List<string> Chunks(byte[] png, string type)
    {
        var result = new List<string>();
        for (var offset = 8; offset + 8 <= png.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            if (Encoding.ASCII.GetString(png, offset + 4, 4) == type)
            {
                result.Add(Convert.ToHexString(png, offset + 8, length));
            }

            offset += 12 + length;
        }

        return result;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        stream.Write(head);
        stream.Write(data);
        stream.Write(new byte[4]);  // the reader does not check CRCs
    }
}
