namespace ComfyUI.Client.Cli;

/// <summary>
/// Where the API key comes from: <c>--api-key-file</c> or <c>--api-key</c> (one of them), else <c>$COMFYUI_API_KEY</c>. The file and
/// the environment keep the key out of the process list and the shell history.
/// </summary>
internal static class ApiKeySource
{
    public const string EnvironmentVariable = "COMFYUI_API_KEY";

    /// <summary>The key, or null when none is given.</summary>
    /// <exception cref="CliUsageException">Both options are given, the file is missing or empty, or a key is blank.</exception>
    public static string? Resolve(string? option, FileInfo? file, Func<string, string?> environment)
    {
        if (option is not null && file is not null)
        {
            throw new CliUsageException("Give the API key once: --api-key-file or --api-key, not both.");
        }

        if (file is not null)
        {
            return FromFile(file);
        }

        if (option is not null)
        {
            return string.IsNullOrWhiteSpace(option) ? throw new CliUsageException("--api-key is empty.") : option.Trim();
        }

        var variable = environment(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(variable) ? null : variable.Trim();
    }

    private static string FromFile(FileInfo file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file.FullName).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"Cannot read the API key file '{file.FullName}': {ex.Message}");
        }

        if (text.Length == 0)
        {
            throw new CliUsageException($"The API key file '{file.FullName}' is empty.");
        }

        if (text.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new CliUsageException($"The API key file '{file.FullName}' has more than one line: it should hold only the key.");
        }

        return text;
    }
}
