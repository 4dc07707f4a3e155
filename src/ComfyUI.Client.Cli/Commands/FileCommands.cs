using System.CommandLine;

namespace ComfyUI.Client.Cli.Commands;

/// <summary><c>upload</c> and <c>download</c>.</summary>
internal static class FileCommands
{
    public static void Add(RootCommand root)
    {
        var file = new Argument<FileInfo>("file") { Description = "The image to upload" };
        var subfolder = new Option<string?>("--subfolder") { Description = "A subfolder of the server's input folder" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a file of the same name (otherwise the server renames)" };
        var upload = new Command("upload", "Upload an image to the server's input folder") { file, subfolder, overwrite };
        upload.SetAction((result, ct) => QueueCommands.Execute(result, async (client, output) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                throw new CliUsageException($"The file '{path.FullName}' does not exist.");
            }

            var uploaded = await client.Files.UploadImageAsync(path.FullName,
                new UploadOptions { Subfolder = result.GetValue(subfolder), Overwrite = result.GetValue(overwrite) }, ct).ConfigureAwait(false);
            output.Object(w =>
            {
                w.WriteString("type", "uploaded");
                w.WriteString("name", uploaded.Name);
                w.WriteString("subfolder", uploaded.Subfolder);
                w.WriteString("folder_type", uploaded.Type);
                w.WriteString("input_value", uploaded.InputValue);
            });
            output.Line($"uploaded as {uploaded.InputValue} ({uploaded.Type}); use it in LoadImage as \"{uploaded.InputValue}\"");
            return ExitCodes.Success;
        }, ct));
        root.Add(upload);

        var name = new Argument<string>("filename") { Description = "The file name on the server" };
        var downloadSubfolder = new Option<string?>("--subfolder") { Description = "Its subfolder" };
        var type = new Option<string>("--type") { Description = "output, input or temp", DefaultValueFactory = _ => "output" };
        type.AcceptOnlyFromAmong("output", "input", "temp");
        var target = new Option<string?>("-o", "--output-file") { Description = "Where to save it (default: its name, in the current folder)" };
        var download = new Command("download", "Download a file from the server (/view)") { name, downloadSubfolder, type, target };
        download.SetAction((result, ct) => QueueCommands.Execute(result, async (client, output) =>
        {
            var remote = new OutputFile
            {
                Filename = result.GetValue(name)!,
                Subfolder = result.GetValue(downloadSubfolder) ?? "",
                Type = result.GetValue(type)!,
            };
            var path = Path.GetFullPath(result.GetValue(target) ?? Path.GetFileName(remote.Filename));
            await client.Files.DownloadToFileAsync(remote, path, ct).ConfigureAwait(false);
            output.Object(w =>
            {
                w.WriteString("type", "downloaded");
                w.WriteString("filename", remote.Filename);
                w.WriteString("saved_to", path);
                w.WriteNumber("bytes", new FileInfo(path).Length);
            });
            output.Line($"saved {path}");
            return ExitCodes.Success;
        }, ct));
        root.Add(download);
    }
}
