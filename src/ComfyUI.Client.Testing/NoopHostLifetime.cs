using Microsoft.Extensions.Hosting;

namespace ComfyUI.Client.Testing;

/// <summary>An embedded server must not hook Ctrl+C or SIGTERM of the host process: the owner stops it with DisposeAsync.</summary>
internal sealed class NoopHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
