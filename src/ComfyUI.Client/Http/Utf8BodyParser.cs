namespace ComfyUI.Client.Http;

/// <summary>Reads a whole UTF-8 body; must not keep <paramref name="utf8"/> (it is a pooled buffer).</summary>
/// <typeparam name="T">What the body is read into.</typeparam>
/// <param name="utf8">The body.</param>
/// <returns>The value read.</returns>
internal delegate T Utf8BodyParser<out T>(ReadOnlySpan<byte> utf8);
