using System.Globalization;
using System.Net;
using System.Text;

namespace ComfyUI.Client.Http;

/// <summary>
/// One HTTP call through the shared pipeline: method, route (relative to the base address), query and content.
/// Every sub-client builds its calls with this type; none builds URLs on its own.
/// </summary>
internal sealed class ComfyRequest
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> ApiPaths = new(StringComparer.Ordinal);
    private string _path;
    private List<KeyValuePair<string, string>>? _query;

    private ComfyRequest(HttpMethod method, string prefix)
    {
        Method = method;
        _path = prefix;
    }

    /// <summary>The HTTP method.</summary>
    public HttpMethod Method { get; }

    /// <summary>The request content, if any.</summary>
    public HttpContent? Content { get; set; }

    /// <summary>Statuses that are returned to the caller instead of thrown (for example 404 for lookups that read as "absent").</summary>
    public HttpStatusCode[] PassThroughStatuses { get; set; } = [];

    /// <summary>Whether a 400 answer is a prompt validation failure (POST /prompt).</summary>
    public bool IsPromptSubmission { get; set; }

    /// <summary>Extra headers for this call only.</summary>
    public List<KeyValuePair<string, string>>? Headers { get; set; }

    /// <summary>A normal route, called under <c>/api/</c> as the official frontend does: <c>Api("history", id)</c> → <c>api/history/{id}</c>.</summary>
    public static ComfyRequest Api(HttpMethod method, params string[] segments) => Create(method, "api", segments);

    /// <summary>A normal route of one fixed segment under <c>/api/</c> (<c>Api("prompt")</c> → <c>api/prompt</c>), its path built once per name.</summary>
    public static ComfyRequest Api(HttpMethod method, string segment) =>
        new(method, ApiPaths.GetOrAdd(segment, static name => "api/" + name.Trim('/'))) { IsFixedRoute = true };

    /// <summary>Whether the route is one fixed name with nothing appended (its absolute URI can be reused from call to call).</summary>
    public bool IsFixedRoute { get; private set; }

    /// <summary>A route whose path is literal, for example <c>/internal/logs</c> or the already prefixed <c>/api/jobs</c>.</summary>
    public static ComfyRequest Literal(HttpMethod method, params string[] segments) => Create(method, "", segments);

    private static ComfyRequest Create(HttpMethod method, string prefix, string[] segments)
    {
        var request = new ComfyRequest(method, prefix);
        foreach (var segment in segments)
        {
            request.Segment(segment);
        }

        return request;
    }

    /// <summary>Appends a fixed path part (may contain '/'), not escaped.</summary>
    public ComfyRequest Segment(string literal)
    {
        IsFixedRoute = false;
        var part = literal.Trim('/');
        _path = _path.Length > 0 ? string.Concat(_path, "/", part) : part;
        return this;
    }

    /// <summary>Appends one path segment built from user input: escaped, so '/', '#', '%', '?' and spaces cannot change the route.</summary>
    public ComfyRequest Escaped(string value)
    {
        IsFixedRoute = false;
        ArgumentNullException.ThrowIfNull(value);
        var part = Uri.EscapeDataString(value);
        _path = _path.Length > 0 ? string.Concat(_path, "/", part) : part;
        return this;
    }

    /// <summary>Adds a query parameter (escaped). <see langword="null"/> values are skipped.</summary>
    public ComfyRequest Query(string name, string? value)
    {
        if (value is not null)
        {
            IsFixedRoute = false;
            (_query ??= []).Add(new(name, value));
        }

        return this;
    }

    /// <summary>Adds an integer query parameter. <see langword="null"/> values are skipped.</summary>
    public ComfyRequest Query(string name, long? value) =>
        Query(name, value?.ToString(CultureInfo.InvariantCulture));

    /// <summary>Adds a boolean query parameter as the literal <c>true</c>/<c>false</c> ComfyUI expects. <see langword="null"/> values are skipped.</summary>
    public ComfyRequest Query(string name, bool? value) =>
        Query(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary>The route as shown in errors and logs: a leading '/', no query string.</summary>
    public string Route => "/" + _path;

    /// <summary>The relative URL (path and escaped query) to resolve against the base address.</summary>
    public string RelativeUrl
    {
        get
        {
            if (_query is null || _query.Count == 0)
            {
                return _path;
            }

            var builder = new StringBuilder(_path.Length + 32).Append(_path).Append('?');
            for (var i = 0; i < _query.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append('&');
                }

                builder.Append(Uri.EscapeDataString(_query[i].Key)).Append('=').Append(Uri.EscapeDataString(_query[i].Value));
            }

            return builder.ToString();
        }
    }
}
