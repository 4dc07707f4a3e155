using System.Net;

namespace ComfyUI.Client;

/// <summary>
/// The WebSocket could not be opened (refused upgrade, timeout, network error), or it was lost for good (reconnecting is off, or every attempt
/// failed). Ends the message streams of a <see cref="ComfyWebSocket"/> when the failure is fatal.
/// </summary>
public sealed class ComfyUIWebSocketException : ComfyUIException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="statusCode">The HTTP status of a refused upgrade, when there was one.</param>
    /// <param name="innerException">The underlying error.</param>
    public ComfyUIWebSocketException(string message, HttpStatusCode? statusCode, Exception? innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status the server answered the upgrade with instead of 101, when it answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>
    /// Whether the server refused the upgrade with 401, 403 or 404: a fast retry will not help (wrong key, wrong user, wrong path), so reconnects
    /// wait <see cref="ComfyWebSocketOptions.RefusedRetryDelay"/>.
    /// </summary>
    public bool IsRefused => StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound;
}
