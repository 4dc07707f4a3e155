using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Testing;

/// <summary>Options of a <see cref="FakeComfyUIServer"/>.</summary>
public sealed class FakeComfyUIServerOptions
{
    /// <summary>The loopback port to listen on; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Where Kestrel and ASP.NET Core log; null (the default) logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Node classes this server does not have, as a server without a custom node: they are missing from <c>/object_info</c>, and a prompt that uses
    /// one is rejected with <c>missing_node_type</c>. Empty (the default) keeps every class.
    /// </summary>
    public ICollection<string> ExcludedNodeClasses { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Replaces the choices of combo inputs, keyed <c>Class.input</c> (for example <c>SdkTestRaiseError.exception_type</c>), as a server with other
    /// model files would list them: <c>/object_info</c> shows them, and a prompt with a value outside them is rejected with <c>value_not_in_list</c>.
    /// </summary>
    public IDictionary<string, IReadOnlyList<string>> ComboChoices { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
}
