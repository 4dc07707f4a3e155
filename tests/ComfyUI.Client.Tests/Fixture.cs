namespace ComfyUI.Client.Tests;

/// <summary>Real server captures copied from shared/captures (ComfyUI 0.33.0).</summary>
internal static class Fixture
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Http(string name) => File.ReadAllText(Path.Combine(Directory, "http", name));

    public static byte[] HttpBytes(string name) => File.ReadAllBytes(Path.Combine(Directory, "http", name));

    public static string WsPath(string name) => Path.Combine(Directory, "ws", name);
}
