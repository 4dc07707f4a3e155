namespace ComfyUI.Client;

/// <summary>
/// Saves a finished run's output files under a folder (<see cref="PromptOptions.DownloadOutputsTo"/>), never outside it and never over an
/// existing file.
/// </summary>
internal static class OutputDownloader
{
    /// <summary>Downloads every output file of <paramref name="entry"/> to <c>folder/subfolder/name</c>.</summary>
    public static async Task<IReadOnlyList<SavedOutput>> DownloadAsync(FilesClient files, HistoryEntry entry, string folder, CancellationToken cancellationToken)
    {
        var saved = new List<SavedOutput>();
        var root = Path.GetFullPath(folder);
        Directory.CreateDirectory(root);
        var rootPrefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        foreach (var (nodeId, output) in entry.Outputs)
        {
            foreach (var file in output.AllFiles)
            {
                var relative = Path.Combine(SafePart(file.Subfolder), SafePart(Path.GetFileName(file.Filename.Replace('\\', '/'))));
                var path = Path.GetFullPath(Path.Combine(root, relative));
                if (!path.StartsWith(rootPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var savedTo = await files.DownloadToNewFileAsync(file, path, cancellationToken).ConfigureAwait(false);
                saved.Add(new SavedOutput { NodeId = nodeId, File = file, Path = savedTo });
            }
        }

        return saved;
    }

    private static string SafePart(string part) =>
        string.Join(Path.DirectorySeparatorChar, part.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p is not "." and not ".."));
}
