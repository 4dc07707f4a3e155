using System.Text;

namespace ComfyUI.Client.LiveTests;

/// <summary>The REST surface against the real server.</summary>
public sealed class LiveRestTests
{
    [Fact]
    public async Task Discovery_routes_answer_typed()
    {
        await using var client = Live.Client();

        var stats = await client.Discovery.GetSystemStatsAsync(Live.Ct);
        var nodes = await client.Discovery.GetObjectInfoAsync(Live.Ct);
        var sampler = await client.Discovery.GetNodeDefinitionAsync("KSampler", Live.Ct);
        var unknown = await client.Discovery.GetNodeDefinitionAsync("DoesNotExist", Live.Ct);
        var folders = await client.Discovery.GetModelFoldersAsync(Live.Ct);
        var missingFolder = await client.Discovery.GetModelsAsync("does_not_exist", Live.Ct);
        var features = await client.Discovery.GetFeaturesAsync(Live.Ct);

        Assert.False(string.IsNullOrEmpty(stats.System.ComfyuiVersion));
        Assert.Contains("SdkTestProgressImage", nodes.Keys);
        Assert.Equal(18446744073709551615m, sampler!.RequiredInputs["seed"].Max);
        Assert.Null(unknown);
        Assert.Contains("checkpoints", folders);
        Assert.Null(missingFolder);
        Assert.True(features.SupportsPreviewMetadata);
    }

    [Fact]
    public async Task Queue_prompt_status_and_jobs_answer_typed()
    {
        await using var client = Live.Client();

        var status = await client.Queue.GetStatusAsync(Live.Ct);
        var queue = await client.Queue.GetQueueAsync(Live.Ct);
        var jobs = await client.Jobs.ListAsync(cancellationToken: Live.Ct);
        var missingJob = await client.Jobs.GetAsync(Guid.NewGuid().ToString(), Live.Ct);
        var missingHistory = await client.History.GetAsync(Guid.NewGuid().ToString(), Live.Ct);

        Assert.True(status.ExecInfo.QueueRemaining >= queue.Running.Count);
        Assert.True(await client.Jobs.IsSupportedAsync(Live.Ct));
        Assert.NotNull(jobs.Jobs);
        Assert.Null(missingJob);
        Assert.Null(missingHistory);
    }

    [Fact]
    public async Task Upload_and_download_round_trip_names_with_spaces_hash_and_percent()
    {
        await using var client = Live.Client();
        var png = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "upload_source.png"), Live.Ct);
        var name = $"live #{Guid.NewGuid():N} 100%.png";

        var uploaded = await client.Files.UploadImageAsync(new MemoryStream(png), name, new UploadOptions { Subfolder = "sdk_test", Overwrite = true }, Live.Ct);
        using var back = new MemoryStream();
        await client.Files.DownloadAsync(new OutputFile { Filename = uploaded.Name, Subfolder = uploaded.Subfolder, Type = "input" }, back, Live.Ct);
        var missing = await client.Files.OpenViewAsync(new OutputFile { Filename = "absent " + Guid.NewGuid() + ".png", Type = "input" }, cancellationToken: Live.Ct);

        Assert.Equal(name, uploaded.Name);
        Assert.Equal(png, back.ToArray());
        Assert.Null(missing);
    }

    [Fact]
    public async Task User_data_round_trips_a_file_whose_name_has_a_slash_and_a_space()
    {
        await using var client = Live.Client();
        var path = $"sdk_test_live/{Guid.NewGuid():N} a.json";
        var moved = $"sdk_test_live/{Guid.NewGuid():N} b.json";
        var body = Encoding.UTF8.GetBytes("{\"live\": true}");
        try
        {
            await client.UserData.SaveAsync(path, new MemoryStream(body), cancellationToken: Live.Ct);
            var conflict = await Assert.ThrowsAsync<ComfyUIApiException>(() =>
                client.UserData.SaveAsync(path, new MemoryStream(body), new UserDataSaveOptions { Overwrite = false }, Live.Ct));
            await using (var read = await client.UserData.OpenAsync(path, Live.Ct))
            {
                using var copy = new MemoryStream();
                await read!.CopyToAsync(copy, Live.Ct);
                Assert.Equal(body, copy.ToArray());
            }

            await client.UserData.MoveAsync(path, moved, cancellationToken: Live.Ct);
            var listed = await client.UserData.ListAsync("sdk_test_live", cancellationToken: Live.Ct);

            Assert.Equal(409, (int)conflict.StatusCode);
            Assert.Contains(moved["sdk_test_live/".Length..], listed);
            Assert.DoesNotContain(path["sdk_test_live/".Length..], listed);
        }
        finally
        {
            await client.UserData.DeleteAsync(path, Live.Ct);
            await client.UserData.DeleteAsync(moved, Live.Ct);
        }

        Assert.False(await client.UserData.DeleteAsync(moved, Live.Ct));
    }

    [Fact]
    public async Task History_users_settings_models_and_internal_routes_answer_typed()
    {
        await using var client = Live.Client();
        var run = await client.RunAsync(new WorkflowBuilder().Add("SdkTestTextOutput", n => n.Set("text", "listed").Set("seed", Live.FreshSeed())).Build(),
            cancellationToken: Live.Ct);
        try
        {
            var newest = await client.History.ListAsync(maxItems: 1, cancellationToken: Live.Ct);
            var users = await client.Users.GetUsersAsync(Live.Ct);
            var settings = await client.Users.GetSettingsAsync(Live.Ct);
            var folders = await client.Discovery.GetModelFolderInfosAsync(Live.Ct);
            var embeddings = await client.Discovery.GetEmbeddingsAsync(Live.Ct);
            var job = await client.Jobs.GetAsync(run.PromptId, Live.Ct);
            var cancelledFinished = await client.Jobs.CancelAsync(run.PromptId, Live.Ct);
#pragma warning disable COMFYUI001 // the internal routes are experimental
            var paths = await client.Internal.GetFolderPathsAsync(Live.Ct);
            var outputs = await client.Internal.GetFilesAsync("output", Live.Ct);
#pragma warning restore COMFYUI001

            Assert.Equal(run.PromptId, Assert.Single(newest).PromptId);
            Assert.Equal("server", users.Storage);
            Assert.NotNull(settings);
            Assert.Contains(folders, f => f.Name == "checkpoints");
            Assert.NotNull(embeddings);
            Assert.Equal(JobStatus.Completed, job!.Status);
            Assert.False(cancelledFinished);
            Assert.Contains("checkpoints", paths.Keys);
            Assert.NotNull(outputs);
        }
        finally
        {
            await Live.ForgetAsync(client, run.PromptId);
        }
    }
}
