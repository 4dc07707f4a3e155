using ComfyUI.Client.Testing;

namespace ComfyUI.Client.Tests.Runs;

/// <summary><see cref="PromptOptions.DownloadOutputsTo"/> never replaces a local file: a taken name gets ComfyUI's next counter.</summary>
public sealed class DownloadOutputsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-downloads-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Workflow Square(int color) => new WorkflowBuilder()
        .Add("EmptyImage", out var image, n => n.Set("width", 8).Set("height", 8).Set("batch_size", 1).Set("color", color))
        .Add("SaveImage", n => n.SetLink("images", image, 0).Set("filename_prefix", "ComfyUI"))
        .Build();

    [Fact]
    public async Task A_second_run_whose_server_reuses_the_name_is_saved_next_to_the_first_instead_of_over_it()
    {
        // Two fresh servers both name their image ComfyUI_00001_.png (as QuickStart's embedded server does on every start).
        var first = await RunOnFreshServerAsync(0x112233);
        var firstBytes = await File.ReadAllBytesAsync(first, Ct);
        var second = await RunOnFreshServerAsync(0x445566);

        Assert.Equal(Path.Combine(_folder, "ComfyUI_00001_.png"), first);
        Assert.Equal(Path.Combine(_folder, "ComfyUI_00002_.png"), second);
        Assert.Equal(firstBytes, await File.ReadAllBytesAsync(first, Ct));
        Assert.NotEqual(firstBytes, await File.ReadAllBytesAsync(second, Ct));
        Assert.Equal(2, Directory.GetFiles(_folder).Length);               // no temporary file left behind
    }

    [Theory]
    [InlineData("ComfyUI_00001_.png", "ComfyUI_00002_.png", "ComfyUI_00003_.png")]
    [InlineData("my_prefix_00099_.webp", "my_prefix_00100_.webp", "my_prefix_00101_.webp")]
    [InlineData("ComfyUI_99999_.png", "ComfyUI_100000_.png", "ComfyUI_100001_.png")]
    [InlineData("photo.png", "photo (1).png", "photo (2).png")]
    [InlineData("x_1_.png", "x_1_ (1).png", "x_1_ (2).png")]
    [InlineData("no extension", "no extension (1)", "no extension (2)")]
    public void Taken_names_continue_like_comfyui(string name, string next, string after)
    {
        var names = FreeFileNames.Candidates(Path.Combine(_folder, name)).Take(3).Select(Path.GetFileName);

        Assert.Equal([name, next, after], names);
    }

    private async Task<string> RunOnFreshServerAsync(int color)
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        await using var client = new ComfyUIClient(server.BaseAddress);
        var result = await client.RunAsync(Square(color), new PromptOptions { DownloadOutputsTo = _folder }, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return Assert.Single(result.SavedFiles).Path;
    }
}
