using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client.WebSockets;

/// <summary>
/// Opens one <see cref="ClientWebSocket"/> to <c>/ws?clientId=…</c> with the client's headers, keep-alive and adjustments, within
/// <see cref="ComfyWebSocketOptions.ConnectTimeout"/>, and sends the <c>feature_flags</c> handshake. Failures become
/// <see cref="ComfyUIWebSocketException"/> (with the status of a refused upgrade).
/// </summary>
internal sealed class SocketOpener
{
    private static readonly byte[] FeatureFlags = JsonSerializer.SerializeToUtf8Bytes(
        new ClientFeatureFlags { Data = { ["supports_preview_metadata"] = true } }, ComfyJsonContext.Default.ClientFeatureFlags);

    private readonly ComfyHttpPipeline _pipeline;
    private readonly ComfyWebSocketOptions _options;

    public SocketOpener(ComfyHttpPipeline pipeline)
    {
        _pipeline = pipeline;
        _options = pipeline.Options.WebSocket;
        Uri = BuildUri(pipeline.BaseAddress, pipeline.Options.ClientId, _options.QueryParameters);
    }

    /// <summary>The socket's address, client id and extra query parameters included.</summary>
    public Uri Uri { get; }

    /// <summary>Builds <c>ws(s)://…/ws?clientId=…</c> under the base address (a base path is kept).</summary>
    public static Uri BuildUri(Uri baseAddress, string clientId, IDictionary<string, string> queryParameters)
    {
        var builder = new UriBuilder(new Uri(baseAddress, "ws"))
        {
            Scheme = baseAddress.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        };
        var query = new StringBuilder("clientId=").Append(Uri.EscapeDataString(clientId));
        foreach (var (key, value) in queryParameters)
        {
            query.Append('&').Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        builder.Query = query.ToString();
        return builder.Uri;
    }

    /// <summary>Opens a socket; <paramref name="cancellationToken"/> and <paramref name="closing"/> cancel it.</summary>
    public async Task<ClientWebSocket> OpenAsync(CancellationToken cancellationToken, CancellationToken closing)
    {
        var socket = new ClientWebSocket();
        try
        {
            var options = socket.Options;
            options.CollectHttpResponseDetails = true;
            _pipeline.ApplyHeaders((name, value) => options.SetRequestHeader(name, value));
            if (_options.KeepAliveInterval > TimeSpan.Zero)
            {
                options.KeepAliveInterval = _options.KeepAliveInterval;
#if NET9_0_OR_GREATER
                if (_options.IdleTimeout is { } idle)
                {
                    options.KeepAliveTimeout = idle;
                }
#endif
            }

            _options.ConfigureClientWebSocket?.Invoke(options);

            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _pipeline.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, closing);
            try
            {
                await socket.ConnectAsync(Uri, linked.Token).ConfigureAwait(false);
                await socket.SendAsync(FeatureFlags, WebSocketMessageType.Text, endOfMessage: true, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !closing.IsCancellationRequested)
            {
                throw new ComfyUIWebSocketException($"Opening the WebSocket timed out after {_options.ConnectTimeout}.", null, ex);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
            {
                var status = socket.HttpStatusCode;
                HttpStatusCode? statusCode = status == 0 ? null : status;
                if (statusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    WebSocketLog.Refused(_pipeline.Logger, (int)status);
                }

                throw new ComfyUIWebSocketException(
                    statusCode is { } code
                        ? $"The server refused the WebSocket upgrade with {(int)code} {code}."
                        : $"The WebSocket could not be opened: {ex.Message}",
                    statusCode,
                    ex);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
