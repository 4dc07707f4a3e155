using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ComfyUI.Client.Tests.Files;

public sealed class FilesClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal sealed record Part(string Name, string? FileName, byte[] Data)
    {
        public string Text => Encoding.UTF8.GetString(Data);
    }

    internal static async Task<List<Part>> ReadMultipartAsync(WireMock.Logging.ILogEntry entry)
    {
        var request = entry.RequestMessage!;
        var contentType = request.Headers!["Content-Type"].ToString();
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value!;
        var bytes = request.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body!);
        var reader = new MultipartReader(boundary, new MemoryStream(bytes));
        var parts = new List<Part>();
        while (await reader.ReadNextSectionAsync(Ct) is { } section)
        {
            var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
            using var buffer = new MemoryStream();
            await section.Body.CopyToAsync(buffer, Ct);
            var fileName = disposition.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : null;
            parts.Add(new Part(HeaderUtilities.RemoveQuotes(disposition.Name).Value!, fileName, buffer.ToArray()));
        }

        return parts;
    }

    [Fact]
    public async Task Upload_image_streams_multipart_parts_and_reads_the_renamed_result()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/upload/image").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("upload_image_other_content_no_overwrite.json")));
        var png = Fixture.HttpBytes("upload_source.png");

        var result = await mock.Client.Files.UploadImageAsync(new MemoryStream(png), "sdk_test_upload.png", new UploadOptions { Subfolder = "sdk_test" }, Ct);

        Assert.Equal("sdk_test_upload (1).png", result.Name);
        Assert.Equal("sdk_test/sdk_test_upload (1).png", result.InputValue);
        Assert.Equal(new OutputFile { Filename = "sdk_test_upload (1).png", Subfolder = "sdk_test", Type = "input" }, result.ToOutputFile());
        var parts = await ReadMultipartAsync(mock.SingleRequest);
        Assert.Equal(["image", "type", "subfolder", "overwrite"], parts.Select(part => part.Name));
        Assert.Equal("sdk_test_upload.png", parts[0].FileName);
        Assert.Equal(png, parts[0].Data);
        Assert.Equal("input", parts[1].Text);
        Assert.Equal("sdk_test", parts[2].Text);
        Assert.Equal("false", parts[3].Text);
    }

    [Fact]
    public async Task Upload_from_a_path_sends_the_file_name_and_overwrite()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/upload/image").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("upload_image.json")));
        var folder = Directory.CreateTempSubdirectory("comfy-upload");
        try
        {
            var path = Path.Combine(folder.FullName, "my photo #1.png");
            await File.WriteAllBytesAsync(path, Fixture.HttpBytes("upload_source.png"), Ct);

            var result = await mock.Client.Files.UploadImageAsync(path, new UploadOptions { Overwrite = true, Type = "temp" }, Ct);

            Assert.Equal("sdk_test_upload.png", result.Name);
            var parts = await ReadMultipartAsync(mock.SingleRequest);
            Assert.Equal("my photo #1.png", parts[0].FileName);
            Assert.Equal("temp", parts[1].Text);
            Assert.Equal("", parts[2].Text);
            Assert.Equal("true", parts[3].Text);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("photo é ü.png")]
    [InlineData("say \"hi\".png")]
    public async Task Upload_of_a_non_ascii_or_quoted_name_uses_filename_star(string name)
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/upload/image").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("upload_image.json")));

        await mock.Client.Files.UploadImageAsync(new MemoryStream([1]), name, cancellationToken: Ct);

        var request = mock.SingleRequest.RequestMessage!;
        var raw = Encoding.UTF8.GetString(request.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body!));
        Assert.Contains("filename*=utf-8''" + Uri.EscapeDataString(name), raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("=?utf-8?", raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Upload_mask_adds_original_ref_as_json()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/upload/mask").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("{\"name\":\"mask.png\",\"subfolder\":\"\",\"type\":\"input\"}"));

        var result = await mock.Client.Files.UploadMaskAsync(new MemoryStream([1, 2, 3]), "mask.png",
            new OutputFile { Filename = "a b.png", Subfolder = "clip", Type = "input" }, cancellationToken: Ct);

        Assert.Equal("mask.png", result.InputValue);
        var parts = await ReadMultipartAsync(mock.SingleRequest);
        Assert.Equal(["image", "type", "subfolder", "overwrite", "original_ref"], parts.Select(part => part.Name));
        var reference = JsonNode.Parse(parts[4].Text)!;
        Assert.Equal("a b.png", reference["filename"]!.GetValue<string>());
        Assert.Equal("clip", reference["subfolder"]!.GetValue<string>());
        Assert.Equal("input", reference["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upload_bad_request_with_empty_body_throws_api_exception()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/upload/image").UsingPost()).RespondWith(Response.Create().WithStatusCode(400));

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Files.UploadImageAsync(new MemoryStream([1]), "x.png", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("/api/upload/image", error.Route);
    }

    [Fact]
    public async Task Upload_leaves_the_callers_stream_open()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/upload/image").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Fixture.Http("upload_image.json")));
        var stream = new MemoryStream([1, 2, 3]);

        await mock.Client.Files.UploadImageAsync(stream, "x.png", cancellationToken: Ct);

        Assert.True(stream.CanRead);
    }

    [Fact]
    public async Task Open_view_streams_the_real_bytes_with_query_parts()
    {
        using var mock = new MockServer();
        var png = Fixture.HttpBytes("view_uploaded.png");
        mock.Server.Given(Request.Create().WithPath("/api/view").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "image/png").WithBody(png));
        var file = new OutputFile { Filename = "a b#%&+.png", Subfolder = "sub dir", Type = "temp" };

        await using var stream = await mock.Client.Files.OpenViewAsync(file, new ViewOptions { PreviewFormat = "jpeg", PreviewQuality = 70, Channel = ViewChannel.Rgb }, Ct);

        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.Equal(png, copy.ToArray());
        var request = mock.SingleRequest.RequestMessage!;
        Assert.Equal("a b#%&+.png", request.Query!["filename"].ToString());
        Assert.Equal("sub dir", request.Query!["subfolder"].ToString());
        Assert.Equal("temp", request.Query!["type"].ToString());
        Assert.Equal("jpeg;70", request.Query!["preview"].ToString());
        Assert.Equal("rgb", request.Query!["channel"].ToString());
    }

    [Fact]
    public async Task Open_view_of_a_missing_file_is_null_and_download_throws()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/view").UsingGet()).RespondWith(Response.Create().WithStatusCode(404));
        var file = new OutputFile { Filename = "missing.png" };

        Assert.Null(await mock.Client.Files.OpenViewAsync(file, cancellationToken: Ct));
        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Files.DownloadAsync(file, Stream.Null, Ct));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Bad_view_type_throws_with_status_400()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/view").UsingGet()).RespondWith(Response.Create().WithStatusCode(400));

        var error = await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Files.OpenViewAsync(new OutputFile { Filename = "x.png", Type = "bogus" }, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task Download_to_file_creates_the_folder_and_leaves_no_temp_file()
    {
        using var mock = new MockServer();
        var png = Fixture.HttpBytes("view_output_empty_image.png");
        mock.Server.Given(Request.Create().WithPath("/api/view").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "image/png").WithBody(png));
        var folder = Directory.CreateTempSubdirectory("comfy-download");
        try
        {
            var path = Path.Combine(folder.FullName, "nested", "out.png");

            await mock.Client.Files.DownloadToFileAsync(new OutputFile { Filename = "out.png" }, path, Ct);

            Assert.Equal(png, await File.ReadAllBytesAsync(path, Ct));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Download_to_file_of_a_missing_file_throws_and_writes_nothing()
    {
        using var mock = new MockServer();
        mock.Server.Given(Request.Create().WithPath("/api/view").UsingGet()).RespondWith(Response.Create().WithStatusCode(404));
        var folder = Directory.CreateTempSubdirectory("comfy-download");
        try
        {
            var path = Path.Combine(folder.FullName, "out.png");

            await Assert.ThrowsAsync<ComfyUIApiException>(() => mock.Client.Files.DownloadToFileAsync(new OutputFile { Filename = "out.png" }, path, Ct));

            Assert.Empty(Directory.GetFiles(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void View_uri_escapes_every_part_and_keeps_the_base_path()
    {
        using var client = new ComfyUIClient(new Uri("http://host:8188/comfy/"));

        var uri = client.Files.GetViewUri(new OutputFile { Filename = "a b#1%&+.png", Subfolder = "x/y", Type = "output" }, new ViewOptions { Channel = ViewChannel.Alpha });

        Assert.Equal("http://host:8188/comfy/api/view?filename=a%20b%231%25%26%2B.png&type=output&subfolder=x%2Fy&channel=a", uri.AbsoluteUri);
    }
}
