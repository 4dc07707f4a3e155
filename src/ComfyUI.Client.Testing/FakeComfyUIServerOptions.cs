using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Testing;

/// <summary>Options of a <see cref="FakeComfyUIServer"/>.</summary>
public sealed class FakeComfyUIServerOptions
{
    /// <summary>The loopback port to listen on; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Where Kestrel and ASP.NET Core log; null (the default) logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
