using System.Diagnostics;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// Makes a span <see cref="Activity.Current"/> for a moment (for example while a run logs that it ended, so the log record carries the run's trace and
/// span ids), then restores the previous one. Does nothing, and allocates nothing, for a <see langword="null"/> span.
/// </summary>
internal readonly struct ActivityScope : IDisposable
{
    private readonly Activity? _previous;
    private readonly bool _entered;

    private ActivityScope(Activity? previous)
    {
        _previous = previous;
        _entered = true;
    }

    public static ActivityScope Enter(Activity? activity)
    {
        if (activity is null || ReferenceEquals(Activity.Current, activity))
        {
            return default;
        }

        var previous = Activity.Current;
        Activity.Current = activity;
        return new ActivityScope(previous);
    }

    public void Dispose()
    {
        if (_entered)
        {
            Activity.Current = _previous;
        }
    }
}
