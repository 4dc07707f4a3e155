namespace ComfyUI.Client.Tests;

/// <summary>The repository the tests were built from (for tests that read the README or pack the projects).</summary>
internal static class Repository
{
    /// <summary>The folder holding ComfyUI.Client.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ComfyUI.Client.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ComfyUI.Client.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }
}
