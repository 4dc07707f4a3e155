namespace ComfyUI.Client.Tests;

/// <summary>The one deadline of every wait in the tests: long enough for a loaded 2-core CI machine, short enough to fail a hang.</summary>
internal static class Waits
{
    /// <summary>How long a test waits for anything that must happen.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
}
