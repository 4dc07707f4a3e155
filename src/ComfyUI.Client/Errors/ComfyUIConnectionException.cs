using System.Net.Sockets;

namespace ComfyUI.Client;

/// <summary>
/// The server could not be reached: the connection could not be made (refused, unknown host, TLS failure) or broke before the answer was read.
/// Every HTTP call of the SDK reports a transport failure this way; the cause (<see cref="HttpRequestException"/>, <see cref="IOException"/>) is
/// the <see cref="Exception.InnerException"/>. The <c>comfyui</c> CLI exits with code 5 for it.
/// </summary>
public class ComfyUIConnectionException : ComfyUIException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="method">The HTTP method of the call, when it was an HTTP call.</param>
    /// <param name="route">The route of the call, when it was an HTTP call.</param>
    /// <param name="requestNeverSent">Whether the connection failed before the request could be sent (so the server did not act on it).</param>
    /// <param name="innerException">The transport error.</param>
    public ComfyUIConnectionException(string message, string? method, string? route, bool requestNeverSent, Exception? innerException)
        : base(message, innerException)
    {
        Method = method;
        Route = route;
        RequestNeverSent = requestNeverSent;
    }

    /// <summary>The HTTP method of the failed call, for example <c>POST</c>.</summary>
    public string? Method { get; }

    /// <summary>The route of the failed call, for example <c>/api/prompt</c>.</summary>
    public string? Route { get; }

    /// <summary>
    /// Whether the connection failed before the request was sent (refused, unknown host, TLS): the server did not act on it, so it is safe
    /// to send again. <see langword="false"/> when the request may have reached the server.
    /// </summary>
    public bool RequestNeverSent { get; }

    /// <summary>Whether a transport error happened before the request could be sent.</summary>
    internal static bool WasNeverSent(Exception? error)
    {
        for (var ex = error; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case ComfyUIConnectionException connection:
                    return connection.RequestNeverSent;
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return true;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable }:
                    return true;
            }
        }

        return false;
    }
}

/// <summary>
/// <c>POST /prompt</c> may or may not have queued the prompt: the request was sent, the answer was lost (connection cut, timeout), and the
/// server could not be asked afterwards whether it has the prompt. The SDK does not resubmit then, because ComfyUI does not de-duplicate prompt ids
/// and the prompt could run twice. Check <see cref="PromptId"/> yourself (<c>History.GetAsync</c>, <c>Queue.GetQueueAsync</c>) once the server is
/// reachable before submitting again.
/// </summary>
public sealed class ComfyUIPromptFateUnknownException : ComfyUIConnectionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="promptId">The prompt id that may have been queued.</param>
    /// <param name="innerException">The transport error of the submission.</param>
    public ComfyUIPromptFateUnknownException(string message, string promptId, Exception? innerException)
        : base(message, "POST", "/api/prompt", requestNeverSent: false, innerException)
    {
        PromptId = promptId;
    }

    /// <summary>The id of the prompt that may have been queued.</summary>
    public string PromptId { get; }
}
