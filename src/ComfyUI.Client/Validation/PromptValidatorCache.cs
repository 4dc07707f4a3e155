using System.Net;

namespace ComfyUI.Client;

/// <summary>
/// The validator of one server, read once and shared: by all runs of a client, and through dependency injection by all (transient)
/// clients of a container, as the run hub is. Read again when asked to, or when the WebSocket reconnected since (the server may have
/// restarted with other node classes, models or files).
/// </summary>
internal sealed class PromptValidatorCache
{
    private readonly object _lock = new();
    private Task<PromptValidator>? _validator;
    private long _generation = -1;

    /// <summary>The validator; <paramref name="reconnects"/> is the run hub's reconnect count, which marks the cached one stale when it changed.</summary>
    public Task<PromptValidator> GetAsync(ComfyUIClient client, long reconnects, bool refresh, CancellationToken cancellationToken)
    {
        Task<PromptValidator> task;
        lock (_lock)
        {
            if (refresh || _validator is null || _validator.IsFaulted || _validator.IsCanceled || reconnects != _generation)
            {
                var reread = refresh || _validator is not null;
                _generation = reconnects;
                _validator = CreateAsync(client, reread);
            }

            task = _validator;
        }

        return task.WaitAsync(cancellationToken);
    }

    private static async Task<PromptValidator> CreateAsync(ComfyUIClient client, bool reread)
    {
        // Not tied to one caller's token: the read is shared by every caller that waits for it.
        var schema = await client.Discovery.GetNodeSchemaAsync(reread, CancellationToken.None).ConfigureAwait(false);
        IReadOnlyDictionary<string, NodeReplacement[]> replacements;
        try
        {
            replacements = await client.Discovery.GetNodeReplacementsAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ComfyUIApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            replacements = new Dictionary<string, NodeReplacement[]>(); // an older server: it replaces nothing
        }

        return new PromptValidator(schema, new PromptValidatorOptions { NodeReplacements = replacements });
    }
}
