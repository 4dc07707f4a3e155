namespace ComfyUI.Client;

/// <summary>
/// The names to subscribe to for the SDK's OpenTelemetry-style traces and metrics, for example
/// <c>tracing.AddSource(ComfyUIDiagnostics.ActivitySourceName)</c> and <c>metrics.AddMeter(ComfyUIDiagnostics.MeterName)</c>. The README's
/// "Observability" section lists every span, event, instrument and attribute. Nothing is recorded, and nothing costs, while no listener is attached.
/// </summary>
public static class ComfyUIDiagnostics
{
    /// <summary>The name of the SDK's <see cref="System.Diagnostics.ActivitySource"/>: <c>ComfyUI.Client</c>.</summary>
    public const string ActivitySourceName = Diagnostics.ComfyTelemetry.Name;

    /// <summary>The name of the SDK's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>ComfyUI.Client</c>.</summary>
    public const string MeterName = Diagnostics.ComfyTelemetry.Name;
}
