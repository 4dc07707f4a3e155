using System.Text.Json.Nodes;

namespace ComfyUI.Client;

public sealed partial class ComfyUIPool
{
    /// <summary>
    /// Submits a workflow to a server that can run it and tracks it, as <see cref="ComfyUIClient.SubmitAsync"/> does (the WebSocket first, a prompt
    /// id chosen before submission); returns once a server queued it. <see cref="PromptRun.Server"/> says which; its events begin with a
    /// <see cref="PromptRoutedEvent"/>. Waits while every server that can run it holds its <see cref="PoolServerOptions.MaxInFlight"/>.
    /// </summary>
    /// <param name="workflow">The API-format workflow. With <see cref="PromptDelivery.AtLeastOnce"/> the pool keeps a copy, so later changes to it
    /// do not reach a resubmission.</param>
    /// <param name="options">How to queue and follow it, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">
    /// The run's token, as for a client: cancelling it before the prompt is queued cancels the submission; afterwards it cancels this prompt on its
    /// server (and only it) and ends the run as <see cref="PromptStatus.Cancelled"/>.
    /// </param>
    /// <returns>The queued, tracked run.</returns>
    /// <exception cref="ComfyUIPoolException">No server can run the prompt now (each lacks a node class or a choice, is down, or is draining).</exception>
    /// <exception cref="ComfyUIPromptValidationException">The server rejected the prompt for a reason of its own (an invalid input); nothing was queued.</exception>
    /// <exception cref="ComfyUIPromptFateUnknownException">With <see cref="PromptDelivery.AtMostOnce"/>: the server's answer was lost and it could not
    /// be asked whether it queued the prompt (it may run); the pool does not submit it elsewhere.</exception>
    public async Task<PromptRun> SubmitAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= DefaultPromptOptions;
        if (options.PromptId is null)
        {
            options = options.WithPromptId(QueueClient.NewPromptId());
        }

        var placed = Options.Delivery == PromptDelivery.AtLeastOnce ? workflow.Clone() : workflow;
        var checkpoint = (Options.CheckpointOf ?? CheckpointOf)(placed);
        return await PoolRelay.SubmitAsync(this, placed, options, checkpoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Submits a workflow, follows it to the end and returns its result: <see cref="SubmitAsync"/> and <see cref="PromptRun.WaitAsync"/> in one call.
    /// <see cref="PromptResult.Server"/> names the server that produced it.
    /// </summary>
    /// <param name="workflow">The API-format workflow.</param>
    /// <param name="options">How to queue and follow it, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">The run's token: cancelling it cancels this prompt on its server and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The result of the successful run, its outputs read from the server's history.</returns>
    /// <exception cref="ComfyUIPoolException">No server can run the prompt now.</exception>
    /// <exception cref="ComfyUIPromptValidationException">The server rejected the prompt.</exception>
    /// <exception cref="ComfyUIExecutionException">The run failed at a node, was interrupted by someone else, or was lost.</exception>
    public async Task<PromptResult> RunAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default)
    {
        var run = await SubmitAsync(workflow, options, cancellationToken).ConfigureAwait(false);
        return await ComfyUIClient.SucceededAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The default checkpoint of a workflow: the values of its <c>ckpt_name</c> and <c>unet_name</c> inputs (the file every checkpoint and diffusion
    /// model loader of ComfyUI names so), sorted and joined; <see langword="null"/> when it has none.
    /// </summary>
    internal static string? CheckpointOf(Workflow workflow)
    {
        SortedSet<string>? names = null;
        foreach (var node in workflow.Nodes)
        {
            foreach (var input in (ReadOnlySpan<string>)["ckpt_name", "unet_name"])
            {
                if (node.GetInputNode(input) is JsonValue value && value.TryGetValue<string>(out var name))
                {
                    (names ??= new SortedSet<string>(StringComparer.Ordinal)).Add(name);
                }
            }
        }

        return names is null ? null : string.Join("|", names);
    }

    /// <summary>
    /// Chooses the server of a prompt and reserves it there: among the servers that are up, not draining, not left out by the caller, and able to run
    /// the workflow (their <see cref="PromptValidator"/> finds no <c>missing_node_type</c> nor <c>value_not_in_list</c>), those under their limit go
    /// to the strategy. Throws <see cref="ComfyUIPoolException"/> when no server can run it; waits while every one that can is at its limit.
    /// </summary>
    internal async Task<(PoolMember Member, PoolMember.Reservation Reservation)> PlaceAsync(
        PoolRelay relay,
        Workflow workflow,
        PromptOptions options,
        string? checkpoint,
        int attempt,
        PoolMember? previous,
        IReadOnlyDictionary<PoolMember, PoolServerRejection> excluded,
        CancellationToken cancellationToken)
    {
        var request = new PoolRoutingRequest { Workflow = workflow, Checkpoint = checkpoint, Attempt = attempt, PreviousServer = previous?.Name };
        var refreshed = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var members = Members();

            // Servers that are still starting are waited for: their first health check is bounded by the probe and socket timeouts.
            if (members.Where(member => !member.FirstVerdict.IsCompleted).Select(member => member.FirstVerdict).ToArray() is { Length: > 0 } starting)
            {
                await Task.WhenAll(starting).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var (eligible, rejections) = await FindEligibleAsync(members, workflow, options, excluded, cancellationToken).ConfigureAwait(false);
            if (eligible.Count == 0)
            {
                // As a client confirms a rejection with a fresh schema: the servers that lacked a class or a choice are read again once (a model
                // or a file may have been added since), and only then does the prompt fail.
                var stale = rejections.Where(r => r.Kind is PoolRejectionKind.MissingNodeType or PoolRejectionKind.ValueNotInList)
                    .Select(r => members.FirstOrDefault(member => member.Name == r.ServerName)).OfType<PoolMember>().ToArray();
                if (refreshed || stale.Length == 0)
                {
                    throw ComfyUIPoolException.For(rejections);
                }

                refreshed = true;
                await Task.WhenAll(stale.Select(member => (Task)member.RefreshCapabilities())).WaitAsync(cancellationToken)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            // Each choice sees the reservations of the choices before it: one at a time.
            while (true)
            {
                var changed = Changed;
                lock (_gate)
                {
                    var candidates = eligible.Where(member => member.IsAvailable && member.HasCapacity).ToList();
                    if (previous is not null && candidates.Count > 1)
                    {
                        candidates.Remove(previous);
                    }

                    if (candidates.Count > 0)
                    {
                        var states = candidates.Select(member => member.Snapshot()).ToArray();
                        var chosen = Strategy.Select(states, request);
                        var index = Array.IndexOf(states, chosen);
                        if (index < 0)
                        {
                            throw new InvalidOperationException($"The routing strategy {Strategy.GetType().Name} returned a server that is not one of the candidates.");
                        }

                        var member = candidates[index];
                        return (member, member.Reserve(relay, checkpoint));
                    }
                }

                if (!eligible.Any(member => member.IsAvailable))
                {
                    break; // the servers that could run it went down or began draining: look again
                }

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(List<PoolMember> Eligible, List<PoolServerRejection> Rejections)> FindEligibleAsync(
        PoolMember[] members,
        Workflow workflow,
        PromptOptions options,
        IReadOnlyDictionary<PoolMember, PoolServerRejection> excluded,
        CancellationToken cancellationToken)
    {
        var eligible = new List<PoolMember>(members.Length);
        var rejections = new List<PoolServerRejection>();
        var available = members.Where(member => !excluded.ContainsKey(member) && member.IsAvailable).ToArray();
        var reads = available.Select(member => member.GetCapabilitiesAsync()).ToArray();
        await Task.WhenAll(reads.Cast<Task>()).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var member in members)
        {
            if (excluded.TryGetValue(member, out var rejection))
            {
                rejections.Add(rejection);
                continue;
            }

            var index = Array.IndexOf(available, member);
            if (index < 0)
            {
                var state = member.Snapshot();
                rejections.Add(state.IsDraining
                    ? Rejection(member, PoolRejectionKind.Draining, "it is draining", null)
                    : Rejection(member, PoolRejectionKind.Unavailable, "it does not answer" + (state.LastError is { } error ? ": " + error : ""), null));
                continue;
            }

            var read = reads[index];
            if (!read.IsCompletedSuccessfully)
            {
                rejections.Add(Rejection(member, PoolRejectionKind.CapabilitiesUnavailable,
                    "its capabilities could not be read: " + (read.Exception?.GetBaseException().Message ?? "cancelled"), null));
                continue;
            }

            if (read.Result.WhyNot(workflow, options.PartialExecutionTargets) is { } why)
            {
                rejections.Add(Rejection(member, why.Kind, why.Reason, why.Error));
                continue;
            }

            eligible.Add(member);
        }

        return (eligible, rejections);
    }

    private static PoolServerRejection Rejection(PoolMember member, PoolRejectionKind kind, string reason, ComfyError? error) =>
        new() { ServerName = member.Name, Server = member.Address, Kind = kind, Reason = reason, ValidationError = error };
}
