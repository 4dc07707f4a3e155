using ComfyUI.Client.Internal;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <content>
/// The SDK's reading of bare Python literals in a saved <c>/object_info</c>, the same filter the HTTP pipeline applies to server answers.
/// Kept outside Schema/ because the source generator links Schema/*.cs into netstandard2.0, where this code does not compile.
/// </content>
public sealed partial class NodeSchema
{
    static partial void QuotePythonLiterals(ReadOnlySpan<byte> utf8Json, ref byte[]? quoted)
    {
        using var buffer = new PooledBuffer(utf8Json.Length + 64);
        PythonJson.QuoteLiterals(utf8Json, buffer);
        quoted = buffer.Span.ToArray();
    }
}
