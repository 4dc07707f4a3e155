using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ComfyUI.Client.Testing.Png;

namespace ComfyUI.Client.Tests.Testing;

/// <summary>
/// /view of unusual names, /upload/mask and POST /users on the fake, compared with what the real ComfyUI 0.33.0 did with the same
/// requests (Fixtures/http: upload_mask_*, view_upload_mask_*, view_unicode_name_headers.txt, users_post_duplicate.json).
/// </summary>
public sealed class UploadViewUserFidelityTests : FakeServerTestBase
{
    private const string UnicodeName = "ü 日本 #1%.png";

    private static readonly OutputFile Original = new() { Filename = "sdk_mask_original.png", Subfolder = "masks", Type = "input" };

    [Fact]
    public async Task View_serves_a_name_with_unicode_spaces_hash_and_percent_with_the_real_headers()
    {
        await using var client = new ComfyUIClient(Server.BaseAddress);
        var source = Fixture.HttpBytes("upload_source.png");
        var uploaded = await client.Files.UploadImageAsync(new MemoryStream(source), UnicodeName, cancellationToken: Ct).WaitAsync(Deadline, Ct);

        using var download = new MemoryStream();
        await client.Files.DownloadAsync(new OutputFile { Filename = uploaded.Name, Type = "input" }, download, Ct).WaitAsync(Deadline, Ct);

        // The real server writes the name into Content-Disposition as raw UTF-8 bytes; read the headers as UTF-8 to compare.
        using var handler = new SocketsHttpHandler { ResponseHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var raw = new HttpClient(handler) { BaseAddress = Server.BaseAddress, Timeout = Deadline };
        using var response = await raw.GetAsync("/view?filename=" + Uri.EscapeDataString(UnicodeName) + "&type=input", Ct).WaitAsync(Deadline, Ct);
        var real = Fixture.Http("view_unicode_name_headers.txt").Split('\n').Select(line => line.Split(": ", 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(UnicodeName, uploaded.Name);
        Assert.Equal(source, download.ToArray());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(real["Content-Disposition"], string.Join(", ", response.Content.Headers.GetValues("Content-Disposition")));
        Assert.Equal(real["Content-Type"], response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(real["X-Content-Type-Options"], Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("upload_mask_rgba.png", "sdk_mask_rgba.png", "view_upload_mask_rgba_merged.png")]
    [InlineData("upload_mask_rgb.png", "sdk_mask_rgb.png", "view_upload_mask_rgb_merged.png")]
    public async Task Upload_mask_puts_the_masks_alpha_into_the_original_and_keeps_its_text_like_the_real_server(string mask, string name, string realResult)
    {
        await using var client = new ComfyUIClient(Server.BaseAddress);
        await client.Files.UploadImageAsync(new MemoryStream(Fixture.HttpBytes("upload_mask_original.png")), Original.Filename,
            new UploadOptions { Subfolder = "masks", Overwrite = true }, Ct).WaitAsync(Deadline, Ct);

        var uploaded = await client.Files.UploadMaskAsync(new MemoryStream(Fixture.HttpBytes(mask)), name, Original,
            new UploadOptions { Subfolder = "masks", Overwrite = true }, Ct).WaitAsync(Deadline, Ct);
        using var merged = new MemoryStream();
        await client.Files.DownloadAsync(new OutputFile { Filename = uploaded.Name, Subfolder = "masks", Type = "input" }, merged, Ct).WaitAsync(Deadline, Ct);

        var fake = merged.ToArray();
        var real = Fixture.HttpBytes(realResult);
        Assert.Equal(name, uploaded.Name);
        Assert.Equal(ColorType(real), ColorType(fake));                    // RGBA (6), whatever the mask's color type
        var (fakeImage, realImage) = (PngCodec.Decode(fake), PngCodec.Decode(real));
        Assert.Equal((realImage.Width, realImage.Height), (fakeImage.Width, fakeImage.Height));
        Assert.Equal(realImage.Pixels, fakeImage.Pixels);                   // the original's RGB, the mask's alpha (255 without one)
        Assert.Equal(PngCodec.ReadText(real), PngCodec.ReadText(fake));     // the original's prompt/workflow text is kept
    }

    [Fact]
    public async Task Upload_mask_without_an_original_on_disk_answers_the_name_and_writes_nothing_like_the_real_server()
    {
        var missing = await PostMaskAsync("upload_mask_rgba.png", "m_missing.png", """{"filename":"absent.png","type":"input"}""");
        var outsideInput = await PostMaskAsync("upload_mask_rgba.png", "m_escape.png", """{"filename":"../x.png","type":"input"}""");

        Assert.Equal((200, """{"name":"m_missing.png","subfolder":"","type":"input"}"""), missing);
        Assert.Equal(200, outsideInput.Status);
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync("m_missing.png"));
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync("m_escape.png"));
    }

    [Fact]
    public async Task Upload_mask_fails_with_500_without_original_ref_or_when_the_sizes_differ_like_the_real_server()
    {
        await UploadAsync(Fixture.HttpBytes("upload_mask_original.png"), "sdk_mask_original.png", "masks", overwrite: true);
        var small = PngCodec.Encode(new RgbImage(2, 2), alpha: true);

        var noRef = await PostMaskAsync("upload_mask_rgba.png", "m_noref.png", originalRef: null);
        var wrongSize = await PostMaskAsync(small, "m_small.png", """{"filename":"sdk_mask_original.png","subfolder":"masks","type":"input"}""");

        Assert.Equal(500, noRef.Status);
        Assert.Equal(500, wrongSize.Status);
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync("m_small.png"));
    }

    [Fact]
    public async Task A_duplicate_user_name_is_rejected_with_the_real_servers_answer()
    {
        await using var client = new ComfyUIClient(Server.BaseAddress);
        var id = await client.Users.CreateUserAsync("sdk_test_dup", Ct).WaitAsync(Deadline, Ct);

        var duplicate = await PostJsonAsync("/users", """{"username":"sdk_test_dup"}""");
        var sdk = await Assert.ThrowsAsync<ComfyUIApiException>(() => client.Users.CreateUserAsync("sdk_test_dup", Ct).WaitAsync(Deadline, Ct));
        var builtIn = await PostJsonAsync("/users", """{"username":"default"}""");

        Assert.StartsWith("sdk_test_dup_", id, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(id["sdk_test_dup_".Length..], out _), id);
        Assert.Equal(400, duplicate.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Fixture.Http("users_post_duplicate.json")), duplicate.Body), duplicate.Text);
        Assert.Equal(HttpStatusCode.BadRequest, sdk.StatusCode);
        Assert.Contains("Duplicate username", sdk.Message, StringComparison.Ordinal);
        Assert.Equal(400, builtIn.Status);
    }

    [Theory]
    [InlineData("""{"username":"al ice!"}""", 200, "al-ice-_")]
    [InlineData("""{"username":"a  &&  b"}""", 200, "a-b_")]
    [InlineData("""{"username":"  "}""", 400, "username not provided")]
    [InlineData("""{"username":"__system"}""", 400, "System User prefix not allowed")]
    [InlineData("""{"username":5}""", 500, "")]
    [InlineData("""{}""", 500, "")]
    public async Task User_names_are_checked_and_turned_into_ids_like_the_real_server(string body, int status, string contains)
    {
        var (actual, _, text) = await PostJsonAsync("/users", body);

        Assert.Equal(status, actual);
        Assert.Contains(contains, text, StringComparison.Ordinal);
    }

    private static int ColorType(byte[] png) => png[25];

    private Task<(int Status, string Text)> PostMaskAsync(string maskFixture, string name, string? originalRef) =>
        PostMaskAsync(Fixture.HttpBytes(maskFixture), name, originalRef);

    private async Task<(int Status, string Text)> PostMaskAsync(byte[] mask, string name, string? originalRef)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(mask);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", name);
        form.Add(new StringContent("input"), "type");
        if (originalRef is not null)
        {
            form.Add(new StringContent(originalRef), "original_ref");
        }

        using var response = await Http.PostAsync("/upload/mask", form, Ct).WaitAsync(Deadline, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<HttpStatusCode> ViewStatusAsync(string name)
    {
        using var response = await Http.GetAsync("/view?type=input&filename=" + Uri.EscapeDataString(name), Ct).WaitAsync(Deadline, Ct);
        return response.StatusCode;
    }
}
