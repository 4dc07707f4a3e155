using System.Net;

namespace ComfyUI.Client;

public partial class ComfyUIClient
{
    private readonly object _validatorLock = new();
    private Task<PromptValidator>? _validator;
    private long _validatorGeneration = -1;

    /// <summary>
    /// Validates a workflow offline with this server's node schema and gives the server's own verdict (what <c>POST /prompt</c> would
    /// answer), without queuing anything. The schema is read once per client (<see cref="DiscoveryClient.GetNodeSchemaAsync"/>) and
    /// read again after the client's WebSocket reconnected (the server may have restarted).
    /// </summary>
    /// <param name="workflow">The API-format workflow.</param>
    /// <param name="options">The submission options whose <see cref="PromptOptions.PartialExecutionTargets"/> apply, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the schema.</param>
    /// <returns>The verdict.</returns>
    public virtual async Task<PromptValidationResult> ValidateAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var validator = await GetValidatorAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        return validator.Validate(workflow, options?.PartialExecutionTargets);
    }

    /// <summary>
    /// The validation before a submission (<see cref="ComfyUIClientOptions.ValidatePrompts"/>, <see cref="PromptOptions.Validate"/>):
    /// a rejection is thrown only if it holds with a freshly read schema (new models, uploaded files, a restarted server).
    /// </summary>
    private async Task ValidateBeforeSubmitAsync(Workflow workflow, PromptOptions options, CancellationToken cancellationToken)
    {
        var result = await ValidateAsync(workflow, options, cancellationToken).ConfigureAwait(false);
        if (result.IsValid)
        {
            return;
        }

        var fresh = await GetValidatorAsync(refresh: true, cancellationToken).ConfigureAwait(false);
        result = fresh.Validate(workflow, options.PartialExecutionTargets);
        result.ThrowIfInvalid();
    }

    private Task<PromptValidator> GetValidatorAsync(bool refresh, CancellationToken cancellationToken)
    {
        Task<PromptValidator> task;
        lock (_validatorLock)
        {
            // The WebSocket reconnects when the server restarts: its node classes, models and files may have changed.
            var generation = _runHub?.Reconnects ?? 0;
            if (refresh || _validator is null || _validator.IsFaulted || _validator.IsCanceled || generation != _validatorGeneration)
            {
                var reread = refresh || _validator is not null;
                _validatorGeneration = generation;
                _validator = CreateValidatorAsync(reread);
            }

            task = _validator;
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<PromptValidator> CreateValidatorAsync(bool reread)
    {
        // Not tied to one caller's token: the read is shared by every caller that waits for it.
        var schema = await Discovery.GetNodeSchemaAsync(reread, CancellationToken.None).ConfigureAwait(false);
        IReadOnlyDictionary<string, NodeReplacement[]> replacements;
        try
        {
            replacements = await Discovery.GetNodeReplacementsAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ComfyUIApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            replacements = new Dictionary<string, NodeReplacement[]>(); // an older server: it replaces nothing
        }

        return new PromptValidator(schema, new PromptValidatorOptions { NodeReplacements = replacements });
    }
}
