namespace ComfyUI.Client;

public partial class ComfyUIClient
{
    private PromptValidatorCache _validators = new();

    /// <summary>Shares the validator cache of the clients of a dependency injection container.</summary>
    internal void UseSharedValidatorCache(PromptValidatorCache cache) => _validators = cache;

    /// <summary>
    /// Validates a workflow offline with this server's node schema and gives the server's own verdict (what <c>POST /prompt</c> would
    /// answer), without queuing anything. The schema is read once per client, or once for all the clients of a dependency injection
    /// container (<see cref="DiscoveryClient.GetNodeSchemaAsync"/>), and read again after the runs' WebSocket reconnected (the server
    /// may have restarted).
    /// </summary>
    /// <param name="workflow">The API-format workflow.</param>
    /// <param name="options">The submission options whose <see cref="PromptOptions.PartialExecutionTargets"/> apply, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the schema.</param>
    /// <returns>The verdict.</returns>
    public virtual async Task<PromptValidationResult> ValidateAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var validator = await GetPromptValidatorAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        return validator.Validate(workflow, options?.PartialExecutionTargets);
    }

    /// <summary>
    /// The offline validator of this server (its node schema and node replacements), as <see cref="ValidateAsync"/> uses it: read once
    /// per client (or dependency injection container) and again after the runs' WebSocket reconnected. Use it to validate raw JSON
    /// (<see cref="PromptValidator.ValidateJson(string)"/>) or many prompts.
    /// </summary>
    /// <param name="refresh">Read the schema again now (for example after installing custom nodes or adding models).</param>
    /// <param name="cancellationToken">Cancels the wait (the shared read goes on for other callers).</param>
    /// <returns>The validator.</returns>
    public virtual Task<PromptValidator> GetPromptValidatorAsync(bool refresh = false, CancellationToken cancellationToken = default) =>
        _validators.GetAsync(this, _runHub?.Reconnects ?? 0, refresh, cancellationToken);

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

        var fresh = await GetPromptValidatorAsync(refresh: true, cancellationToken).ConfigureAwait(false);
        result = fresh.Validate(workflow, options.PartialExecutionTargets);
        result.ThrowIfInvalid();
    }
}
