using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// The SDK's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named <c>ComfyUI.Client</c> and versioned with the package. Every span
/// and instrument of the SDK (and of the pool) comes from these two; nothing is recorded while no listener is attached.
/// </summary>
internal static class ComfyTelemetry
{
    /// <summary>The name of the source and of the meter.</summary>
    public const string Name = "ComfyUI.Client";

    /// <summary>The package version (the informational version without its source revision).</summary>
    public static readonly string Version = ReadVersion();

    /// <summary>The source of every span.</summary>
    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>The meter of every instrument.</summary>
    public static readonly Meter Meter = new(Name, Version);

    /// <summary>
    /// Starts a span that is NOT made <see cref="Activity.Current"/> of the caller's flow: for spans started on a shared loop (the socket's receive
    /// loop) whose later work must not be parented to them.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent, DateTimeOffset startTime)
    {
        var previous = Activity.Current;
        var activity = Source.StartActivity(name, kind, parent, startTime: startTime);
        if (activity is not null)
        {
            Activity.Current = previous;
        }

        return activity;
    }

    private static string ReadVersion()
    {
        var assembly = typeof(ComfyTelemetry).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
