using System.Diagnostics;
using System.Text.Json;

namespace ComfyUI.Client.Diagnostics;

/// <summary>
/// Records a finished run's metrics: its duration and outcome, and — when it reached the server's executor — its queue wait, execution time and
/// cached nodes. Queue and execution times come from the server's own millisecond timestamps where its history has them (<c>extra_data.create_time</c>,
/// <c>execution_start</c>, the outcome message), else from when the client saw the events (<c>comfyui.timing.source</c> says which).
/// </summary>
internal static class RunMetrics
{
    private static readonly string[] OutcomeMessages = ["execution_success", "execution_error", "execution_interrupted"];

    public static void Record(RunTelemetry run, PromptResult result, string status, string? errorType, long now)
    {
        var time = run.Time;
        var outcome = run.Server.Tags();
        outcome.Add(TelemetryNames.RunStatus, status);
        if (errorType is not null)
        {
            outcome.Add(TelemetryNames.ErrorType, errorType);
        }

        if (ComfyMetrics.Runs.Enabled)
        {
            ComfyMetrics.Runs.Add(1, outcome);
        }

        if (ComfyMetrics.RunDuration.Enabled)
        {
            ComfyMetrics.RunDuration.Record(time.GetElapsedTime(run.SubmittedAt, now).TotalSeconds, outcome);
        }

        var history = result.History;
        var serverStart = Timestamp(history, "execution_start") ?? run.ServerStartedAt;
        var started = serverStart is not null || run.StartedAt != 0;
        if (!started)
        {
            // Never left the queue (cancelled while pending, lost): no queue wait, execution or cache to speak of.
            return;
        }

        if (ComfyMetrics.CachedNodes.Enabled)
        {
            ComfyMetrics.CachedNodes.Record(result.CachedNodes.Count, run.Server.Tags());
        }

        if (ComfyMetrics.QueueDuration.Enabled)
        {
            var created = history?.Prompt.CreateTime;
            var tags = run.Server.Tags();
            double seconds;
            if (created is not null && serverStart is not null)
            {
                seconds = (serverStart.Value - created.Value).TotalSeconds;
                tags.Add(TelemetryNames.TimingSource, "server");
            }
            else
            {
                var queuedAt = run.QueuedAt != 0 ? run.QueuedAt : run.SubmittedAt;
                seconds = run.StartedAt > queuedAt ? time.GetElapsedTime(queuedAt, run.StartedAt).TotalSeconds : 0;
                tags.Add(TelemetryNames.TimingSource, "client");
            }

            ComfyMetrics.QueueDuration.Record(Math.Max(0, seconds), tags);
        }

        if (ComfyMetrics.ExecutionDuration.Enabled)
        {
            var tags = outcome;
            var serverEnd = OutcomeTimestamp(history);
            double seconds;
            if (serverStart is not null && serverEnd is not null)
            {
                seconds = (serverEnd.Value - serverStart.Value).TotalSeconds;
                tags.Add(TelemetryNames.TimingSource, "server");
            }
            else
            {
                seconds = run.StartedAt != 0 ? time.GetElapsedTime(run.StartedAt, now).TotalSeconds : 0;
                tags.Add(TelemetryNames.TimingSource, "client");
            }

            ComfyMetrics.ExecutionDuration.Record(Math.Max(0, seconds), tags);
        }
    }

    private static DateTimeOffset? OutcomeTimestamp(HistoryEntry? history)
    {
        foreach (var name in OutcomeMessages)
        {
            if (Timestamp(history, name) is { } timestamp)
            {
                return timestamp;
            }
        }

        return null;
    }

    /// <summary>The server's millisecond timestamp of a message recorded in the history entry.</summary>
    private static DateTimeOffset? Timestamp(HistoryEntry? history, string eventName) =>
        history?.Status is { } status && status.TryReadRecorded(eventName, ReadTimestamp, out var ms) && ms is { } value
            ? DateTimeOffset.FromUnixTimeMilliseconds(value)
            : null;

    /// <summary>The data's <c>timestamp</c> (the last one, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> finds it) when it is an integer.</summary>
    private static long? ReadTimestamp(ref Utf8JsonReader reader)
    {
        long? timestamp = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTimestamp = reader.ValueTextEquals("timestamp"u8);
            reader.Read();
            if (isTimestamp)
            {
                timestamp = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms) ? ms : null;
            }

            reader.Skip();
        }

        return timestamp;
    }
}
