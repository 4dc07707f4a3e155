using System.Text;

namespace ComfyUI.Client.Tests.CodeGen;

/// <summary>
/// Snapshot testing for generated code: the expected text is a committed file in <c>CodeGen/Snapshots/</c> of the source tree. On a
/// difference the test fails with the first differing lines and writes the actual text beside it as <c>*.received</c>; run with
/// <c>COMFYUI_ACCEPT_SNAPSHOTS=1</c> to accept the actual text as the new snapshot (then review the diff and commit it).
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "COMFYUI_ACCEPT_SNAPSHOTS";

    /// <summary>The committed snapshots, in the source tree (found from the repository root: CI builds map source paths to /_/).</summary>
    private static readonly string SnapshotFolder = Path.Combine(Repository.Root, "tests", "ComfyUI.Client.Tests", "CodeGen", "Snapshots");

    public static void Match(string actual, string name)
    {
        var directory = SnapshotFolder;
        var expectedPath = Path.Combine(directory, name);
        var receivedPath = expectedPath + ".received";
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(expectedPath, actual, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return;
        }

        if (!File.Exists(expectedPath))
        {
            File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
            Assert.Fail($"No snapshot {expectedPath}. The actual text is in {receivedPath}; run the tests with {AcceptVariable}=1 to accept it.");
        }

        var expected = File.ReadAllText(expectedPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
        Assert.Fail($"The generated code differs from the snapshot {name}.\n{Diff(expected, actual)}\nActual text: {receivedPath}\n" +
            $"If the change is intended, run the tests with {AcceptVariable}=1 and commit the updated snapshot.");
    }

    /// <summary>The first differing region, as numbered lines: "-" expected, "+" actual.</summary>
    internal static string Diff(string expected, string actual, int context = 3, int maxLines = 40)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var first = 0;
        while (first < a.Length && first < b.Length && a[first] == b[first])
        {
            first++;
        }

        var endA = a.Length - 1;
        var endB = b.Length - 1;
        while (endA > first && endB > first && a[endA] == b[endB])
        {
            endA--;
            endB--;
        }

        var output = new StringBuilder();
        output.AppendLine($"First difference at line {first + 1} (expected {a.Length} lines, actual {b.Length}):");
        for (var i = Math.Max(0, first - context); i < first; i++)
        {
            output.AppendLine($"  {i + 1,6}  {a[i]}");
        }

        var shown = 0;
        for (var i = first; i <= endA && shown < maxLines; i++, shown++)
        {
            output.AppendLine($"- {i + 1,6}  {a[i]}");
        }

        for (var i = first; i <= endB && shown < maxLines * 2; i++, shown++)
        {
            output.AppendLine($"+ {i + 1,6}  {b[i]}");
        }

        return output.ToString();
    }
}
