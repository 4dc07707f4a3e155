using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Internal;
using Microsoft.Extensions.Logging;

namespace ComfyUI.Client.Http;

/// <summary>
/// The one request pipeline every sub-client shares: resolves routes against the base address (keeping a base path),
/// adds default, auth and <c>Comfy-User</c> headers, applies the per-call timeout, reads JSON through the
/// source-generated context and maps failures to <see cref="ComfyUIApiException"/> and friends.
/// </summary>
internal sealed class ComfyHttpPipeline
{
    private readonly HttpMessageInvoker _http;
    private readonly ILogger _logger;
    private readonly CallTimeoutPool _timeouts = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _fixedRoutes = new(StringComparer.Ordinal);

    /// <summary>Creates the pipeline over an <see cref="HttpClient"/> given by the user, or the client's own handler called directly.</summary>
    public ComfyHttpPipeline(HttpMessageInvoker http, ComfyUIClientOptions options, ILogger logger, TimeProvider? timeProvider = null)
    {
        _http = http;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Options = options;
        _logger = logger;
        var baseAddress = options.BaseAddress ?? (http as HttpClient)?.BaseAddress
            ?? throw new ArgumentException("ComfyUIClientOptions.BaseAddress is required (or an HttpClient with a BaseAddress).", nameof(options));
        if (!baseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException($"The base address '{baseAddress}' must be absolute, for example http://127.0.0.1:8188/.", nameof(options));
        }

        if (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The base address '{baseAddress}' must use http or https.", nameof(options));
        }

        BaseAddress = EnsureTrailingSlash(baseAddress);
        Server = ServerEndpoint.From(BaseAddress);
        ComfyMetrics.EnsureCreated();
    }

    /// <summary>The server's <c>server.address</c> and <c>server.port</c> for spans and metrics.</summary>
    public ServerEndpoint Server { get; }

    /// <summary>The base address, always ending in '/'.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The options in force (a private copy).</summary>
    public ComfyUIClientOptions Options { get; }

    /// <summary>The client's clock: every timeout, delay and timer of the client runs on it.</summary>
    public TimeProvider TimeProvider { get; set; }

    /// <summary>The logger of the client.</summary>
    public ILogger Logger => _logger;

    /// <summary>Resolves a relative URL against the base address.</summary>
    public Uri Resolve(string relativeUrl) => new(BaseAddress, relativeUrl);

    /// <summary>Applies the default, auth and user headers to a header collection (HTTP requests and the WebSocket handshake).</summary>
    public void ApplyHeaders(Action<string, string> setHeader) => ApplyHeaders(setHeader, static (set, name, value) => set(name, value));

    /// <summary>Applies the default, auth and user headers through a static callback with its state (no closure per request).</summary>
    public void ApplyHeaders<TState>(TState state, Action<TState, string, string> setHeader)
    {
        if (Options.DefaultHeaders.Count > 0)
        {
            foreach (var header in Options.DefaultHeaders)
            {
                setHeader(state, header.Key, header.Value);
            }
        }

        if (!string.IsNullOrEmpty(Options.ApiKey))
        {
            var isAuthorization = string.Equals(Options.ApiKeyHeaderName, "Authorization", StringComparison.OrdinalIgnoreCase);
            setHeader(state, Options.ApiKeyHeaderName, isAuthorization ? "Bearer " + Options.ApiKey : Options.ApiKey);
        }

        if (!string.IsNullOrEmpty(Options.User))
        {
            setHeader(state, "Comfy-User", Options.User);
        }
    }

    /// <summary>
    /// Sends the request and returns the response once its headers arrived. Failed statuses throw, except those listed in
    /// <see cref="ComfyRequest.PassThroughStatuses"/>. The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(ComfyRequest request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var timeout = CreateTimeout(cancellationToken);
        return await SendCoreAsync(request, completion, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="SendAsync(ComfyRequest, HttpCompletionOption, CancellationToken)"/> under a timeout the caller made (one timer per call).</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(ComfyRequest request, HttpCompletionOption completion, CallTimeout timeout, CancellationToken cancellationToken)
    {
        var uri = request.IsFixedRoute ? _fixedRoutes.GetOrAdd(request.RelativeUrl, static (route, self) => self.Resolve(route), this) : Resolve(request.RelativeUrl);
        using var message = new HttpRequestMessage(request.Method, uri) { Content = request.Content };
        ApplyHeaders(message, static (message, name, value) =>
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        });
        if (request.Headers is not null)
        {
            foreach (var header in request.Headers)
            {
                message.Headers.Remove(header.Key);
                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        HttpResponseMessage response;
        try
        {
            // A user's HttpClient goes through HttpClient (its handlers, its buffering); the client's own handler is called directly, which
            // answers once the headers arrived: a body the caller wants read is then buffered here, under the same timeout.
            if (_http is HttpClient client)
            {
                response = await client.SendAsync(message, completion, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
                if (completion == HttpCompletionOption.ResponseContentRead)
                {
                    await BufferAsync(response, timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException && timeout.TimedOut)
        {
            throw TimeoutError(request, ex);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ConnectionError(request, ex);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            HttpLog.Response(_logger, request.Method.Method, request.Route, (int)response.StatusCode);
        }
        if (response.IsSuccessStatusCode || Array.IndexOf(request.PassThroughStatuses, response.StatusCode) >= 0)
        {
            return response;
        }

        using (response)
        {
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                throw ComfyErrorParser.CreateRedirectException(response.StatusCode, response.ReasonPhrase, request.Method.Method, request.Route, response.Headers.Location);
            }

            string? body;
            try
            {
                body = await CappedTextReader.ReadAsync(response.Content, Options.MaxErrorBodyLength, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeout.TimedOut)
            {
                throw TimeoutError(request, ex);
            }
            catch (HttpRequestException)
            {
                body = null;
            }
            catch (IOException)
            {
                body = null;
            }

            throw ComfyErrorParser.CreateException(response.StatusCode, response.ReasonPhrase, request.Method.Method, request.Route, body, request.IsPromptSubmission);
        }
    }

    /// <summary>Reads the whole body into memory (what <see cref="HttpClient"/> does for <see cref="HttpCompletionOption.ResponseContentRead"/>).</summary>
    private static async Task BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
#if NET9_0_OR_GREATER
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
#else
            await response.Content.LoadIntoBufferAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
#endif
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request and ignores the (empty) body of a successful answer.</summary>
    public async Task SendAsync(ComfyRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the request and reads the JSON answer into <typeparamref name="T"/>.</summary>
    public async Task<T> SendJsonAsync<T>(ComfyRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var timeout = CreateTimeout(cancellationToken);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout, cancellationToken).ConfigureAwait(false);
        return (await ReadJsonCoreAsync(request, response, typeInfo, allowNull: false, timeout, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Sends the request and reads the JSON answer, or returns <see langword="default"/> when the server answered with one of
    /// <see cref="ComfyRequest.PassThroughStatuses"/> (for example 404 for an absent item).
    /// </summary>
    public async Task<T?> SendJsonOrDefaultAsync<T>(ComfyRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var timeout = CreateTimeout(cancellationToken);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return default;
        }

        return (await ReadJsonCoreAsync(request, response, typeInfo, allowNull: false, timeout, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Sends the request and returns the body as a non-buffered stream (headers read, body not); disposing the stream disposes the
    /// response. Returns <see langword="null"/> when the server answered with one of <see cref="ComfyRequest.PassThroughStatuses"/>.
    /// </summary>
    public async Task<Stream?> SendStreamAsync(ComfyRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            return null;
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResponseStream(stream, response, Server);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the request and reads the JSON answer; <see langword="null"/> when the server answered with one of
    /// <see cref="ComfyRequest.PassThroughStatuses"/>, with a JSON <c>null</c>, or (when <paramref name="isEmpty"/> says so) with an empty value such as <c>{}</c>.
    /// </summary>
    public async Task<T?> SendJsonOrNullAsync<T>(ComfyRequest request, JsonTypeInfo<T> typeInfo, Func<T, bool>? isEmpty, CancellationToken cancellationToken)
        where T : class
    {
        using var timeout = CreateTimeout(cancellationToken);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var value = await ReadJsonCoreAsync(request, response, typeInfo, allowNull: true, timeout, cancellationToken).ConfigureAwait(false);
        return value is null || (isEmpty is not null && isEmpty(value)) ? null : value;
    }

    /// <summary>
    /// Sends the request, reads the whole answer into a pooled buffer and hands it to <paramref name="parse"/>, which must copy whatever
    /// it keeps. A <see cref="JsonException"/> from <paramref name="parse"/> becomes a <see cref="ComfyUIProtocolException"/>.
    /// </summary>
    public async Task<T> SendBufferedAsync<T>(ComfyRequest request, Utf8BodyParser<T> parse, CancellationToken cancellationToken)
    {
        using var timeout = CreateTimeout(cancellationToken);
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout, cancellationToken).ConfigureAwait(false);
        return await ReadBufferedAsync(request, response, parse, timeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T?> ReadJsonCoreAsync<T>(
        ComfyRequest request, HttpResponseMessage response, JsonTypeInfo<T> typeInfo, bool allowNull, CallTimeout timeout, CancellationToken cancellationToken)
    {
        var value = await ReadBufferedAsync(request, response, utf8 => JsonSerializer.Deserialize(utf8, typeInfo), timeout, cancellationToken).ConfigureAwait(false);
        return value is not null || allowNull ? value : throw new ComfyUIProtocolException($"The server answered JSON null where {typeof(T).Name} was expected", Source(request), null);
    }

    /// <summary>
    /// Reads the whole body into a pooled buffer, then parses it in one synchronous pass: no per-value read-ahead of streamed
    /// deserialization, no buffer left behind. Only a body that does not parse is read again through the filter for Python's bare
    /// <c>NaN</c>/<c>Infinity</c> (rare). Malformed data becomes <see cref="ComfyUIProtocolException"/>, a timeout <see cref="ComfyUITimeoutException"/>.
    /// </summary>
    private async Task<T> ReadBufferedAsync<T>(
        ComfyRequest request, HttpResponseMessage response, Utf8BodyParser<T> parse, CallTimeout timeout, CancellationToken cancellationToken)
    {
        using var body = new PooledBuffer((int)Math.Clamp(response.Content.Headers.ContentLength ?? 0, 0, 64 * 1024 * 1024) + 64);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await body.FillAsync(stream, timeout.Token).ConfigureAwait(false);
            }

            try
            {
                return parse(body.Span);
            }
            catch (JsonException)
            {
                using var quoted = new PooledBuffer(body.Length + 64);
                Serialization.PythonJson.QuoteLiterals(body.Span, quoted);
                return parse(quoted.Span);
            }
        }
        catch (JsonException ex)
        {
            var contentType = response.Content.Headers.ContentType?.MediaType ?? "no content type";
            throw new ComfyUIProtocolException(
                $"The server's answer could not be read as {typeof(T).Name} ({contentType}): {ex.Message}", Source(request), ex);
        }
        catch (OperationCanceledException ex) when (timeout.TimedOut)
        {
            throw TimeoutError(request, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw ConnectionError(request, ex);
        }
    }

    private static string Source(ComfyRequest request) => $"{request.Method.Method} {request.Route}";

    private ComfyUITimeoutException TimeoutError(ComfyRequest request, Exception inner)
    {
        HttpLog.Timeout(_logger, request.Method.Method, request.Route, Options.RequestTimeout);
        return new ComfyUITimeoutException(
            $"{request.Method.Method} {request.Route} did not complete within {Options.RequestTimeout} (ComfyUIClientOptions.RequestTimeout).",
            Options.RequestTimeout,
            inner);
    }

    private CallTimeout CreateTimeout(CancellationToken cancellationToken) =>
        _timeouts.Rent(Options.RequestTimeout > TimeSpan.Zero ? Options.RequestTimeout : Timeout.InfiniteTimeSpan, TimeProvider, cancellationToken);

    /// <summary>The exception for a call that failed in transport: the server could not be reached, or the connection broke.</summary>
    private ComfyUIConnectionException ConnectionError(ComfyRequest request, Exception inner) =>
        new($"{request.Method.Method} {request.Route} failed: the server at {BaseAddress} could not be reached ({inner.Message}).",
            request.Method.Method, request.Route, ComfyUIConnectionException.WasNeverSent(inner), inner);

    private static Uri EnsureTrailingSlash(Uri uri)
    {
        var builder = new UriBuilder(uri) { Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }
}
