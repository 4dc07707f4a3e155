namespace ComfyUI.Client;

/// <summary>
/// Binary type 1 <c>PREVIEW_IMAGE</c>: a live preview without ids (servers send it to clients that did not ask for metadata, and nodes that push
/// whole images over the socket use it too).
/// </summary>
public sealed record PreviewImageMessage : ComfyMessage
{
    /// <summary>The format code as sent: 1 = JPEG, 2 = PNG.</summary>
    public int Format { get; init; }

    /// <summary>The image's MIME type from <see cref="Format"/> (<c>image/jpeg</c>, <c>image/png</c>, or <c>application/octet-stream</c> for unknown codes).</summary>
    public string MimeType { get; init; } = "application/octet-stream";

    /// <summary>The encoded image (an owned copy).</summary>
    public ReadOnlyMemory<byte> Image { get; init; }
}

/// <summary>Binary type 4 <c>PREVIEW_IMAGE_WITH_METADATA</c>: a live preview with the prompt and node it belongs to.</summary>
public sealed record PreviewImageWithMetadataMessage : ComfyMessage
{
    /// <summary>The node's execution id.</summary>
    public string? NodeId { get; init; }

    /// <summary>The node id to show.</summary>
    public string? DisplayNodeId { get; init; }

    /// <summary>The parent node inside a subgraph or expansion, or <see langword="null"/>.</summary>
    public string? ParentNodeId { get; init; }

    /// <summary>The original node id.</summary>
    public string? RealNodeId { get; init; }

    /// <summary>The image's MIME type as sent (<c>image/jpeg</c> or <c>image/png</c>).</summary>
    public string MimeType { get; init; } = "application/octet-stream";

    /// <summary>The encoded image (an owned copy).</summary>
    public ReadOnlyMemory<byte> Image { get; init; }
}

/// <summary>Binary type 3 <c>TEXT</c>: status text of a node ("progress text"). Usually broadcast and without a prompt id.</summary>
public sealed record ProgressTextMessage : ComfyMessage
{
    /// <summary>The node's id.</summary>
    public string NodeId { get; init; } = "";

    /// <summary>The text.</summary>
    public string Text { get; init; } = "";
}

/// <summary>A binary frame of a type the SDK does not know (custom nodes may send their own). The payload is kept.</summary>
public sealed record UnknownBinaryMessage : ComfyMessage
{
    /// <summary>The event type (the frame's first big-endian 32-bit integer).</summary>
    public int EventType { get; init; }

    /// <summary>The bytes after the event type (an owned copy).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }
}
