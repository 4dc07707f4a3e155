using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

public partial class ComfyUIClient
{
    private static readonly PromptOptions DefaultPromptOptions = new();
    private RunHub? _runHub;
    private bool _ownsRunHub = true;

    /// <summary>Shares a run hub (one WebSocket for the client id) owned by someone else, for example the DI container.</summary>
    internal void UseSharedRunHub(RunHub hub)
    {
        _runHub = hub;
        _ownsRunHub = false;
    }

    /// <summary>The run hub of this client: shared by all its runs (and, through dependency injection, by all clients of the container).</summary>
    internal RunHub RunHub
    {
        get
        {
            if (_runHub is null)
            {
                Interlocked.CompareExchange(ref _runHub, new RunHub(Pipeline.TimeProvider, Pipeline.Logger), null);
            }

            return _runHub;
        }
    }

    /// <summary>
    /// The state of the WebSocket this client's tracked runs share (opened by the first <see cref="SubmitAsync"/>), or <see langword="null"/> when
    /// no run has opened one yet or it could not be opened. While it is not <see cref="ComfyWebSocketState.Connected"/>, runs follow the server by polling.
    /// </summary>
    public virtual ComfyWebSocketState? RunSocketState => _runHub?.SocketState;

    /// <summary>
    /// Submits a workflow and tracks it: the WebSocket is connected first and the prompt id is chosen by the client, so no event of the
    /// run can be missed, even when a fully cached prompt finishes before the server answers the POST. Returns once the prompt is queued.
    /// </summary>
    /// <param name="workflow">The API-format workflow.</param>
    /// <param name="options">How to queue and follow it, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">
    /// The run's token: cancelling it before the prompt is queued cancels the submission; cancelling it afterwards cancels this prompt on
    /// the server (removed from the queue when pending, interrupted when running) and ends the run as <see cref="PromptStatus.Cancelled"/>.
    /// No other prompt is touched.
    /// </param>
    /// <returns>The queued, tracked run.</returns>
    /// <exception cref="ComfyUIPromptValidationException">
    /// The server rejected the prompt, or would have (offline validation, <see cref="ComfyUIClientOptions.ValidatePrompts"/>); nothing was queued.
    /// </exception>
    /// <exception cref="ComfyUIConnectionException">The server could not be reached; nothing was queued.</exception>
    /// <exception cref="ComfyUIPromptFateUnknownException">The request reached the server but its answer was lost, and the server could not be asked
    /// afterwards whether it queued the prompt (it may run). Not resubmitted, so that it cannot run twice.</exception>
    public virtual async Task<PromptRun> SubmitAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        options ??= DefaultPromptOptions;
        if (options.Validate ?? Pipeline.Options.ValidatePrompts)
        {
            await ValidateBeforeSubmitAsync(workflow, options, cancellationToken).ConfigureAwait(false);
        }

        var promptId = options.PromptId ?? QueueClient.NewPromptId();
        JsonObject? extraData = null;
        if (options.ExtraData is not null || options.PreviewMethod is not null)
        {
            extraData = options.ExtraData?.DeepClone().AsObject() ?? [];
            if (options.PreviewMethod is not null)
            {
                extraData["preview_method"] = options.PreviewMethod;
            }
        }

        // Serialized once, straight from the workflow (no copy of it); a safe retry sends the same bytes.
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new QueuePromptBody
            {
                Prompt = workflow.Root,
                ClientId = Pipeline.Options.ClientId,
                PromptId = promptId,
                Number = options.Number,
                Front = options.Number is null && options.Front ? true : null,
                ExtraData = extraData is { Count: > 0 } ? extraData : null,
                PartialExecutionTargets = options.PartialExecutionTargets,
            },
            ComfyJsonContext.Default.QueuePromptBody);

        var hub = RunHub;
        // The run's telemetry is null (and free) unless someone listens; its span continues the caller's trace and is current for the rest of this call.
        var run = new PromptRun(this, hub, promptId, options, cancellationToken, RunTelemetry.Start(Pipeline, workflow.Root, promptId));
        QueuePromptResponse response;
        try
        {
            await hub.EnsureConnectedAsync(this, cancellationToken).ConfigureAwait(false);
            hub.Register(run);
            try
            {
                try
                {
                    response = await Queue.PostPromptAsync(body, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsLostAnswer(ex))
                {
                    response = await RetryLostAnswerAsync(ex, body, promptId, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The POST may have reached the server: remove this prompt (and only it) so nothing runs untracked.
                hub.Unregister(run);
                _ = CleanUpAbandonedAsync(promptId);
                throw;
            }
            catch
            {
                hub.Unregister(run);
                throw;
            }
        }
        catch (Exception ex) when (run.Telemetry is { } telemetry)
        {
            telemetry.SubmitFailed(ex);
            throw;
        }

        Http.HttpLog.PromptQueued(Pipeline.Logger, promptId, response.Number);
        run.Start(response.Number);
        return run;
    }

    /// <summary>
    /// Submits a workflow, follows it to the end and returns its result: <see cref="SubmitAsync"/> and <see cref="PromptRun.WaitAsync"/> in one call.
    /// </summary>
    /// <param name="workflow">The API-format workflow.</param>
    /// <param name="options">How to queue and follow it, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">The run's token: cancelling it cancels this prompt on the server and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The result of the successful run, its outputs read from the server's history.</returns>
    /// <exception cref="ComfyUIPromptValidationException">The server rejected the prompt.</exception>
    /// <exception cref="ComfyUIExecutionException">The run failed at a node, was interrupted by someone else, or was lost.</exception>
    /// <exception cref="ComfyUIConnectionException">The server could not be reached (<see cref="ComfyUIPromptFateUnknownException"/> when the prompt
    /// may have been queued all the same).</exception>
    public virtual async Task<PromptResult> RunAsync(Workflow workflow, PromptOptions? options = null, CancellationToken cancellationToken = default)
    {
        var run = await SubmitAsync(workflow, options, cancellationToken).ConfigureAwait(false);
        return await SucceededAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What <c>RunAsync</c> does with a submitted run (here and in <see cref="ComfyUIPool"/>): waits for its end, disposes it, and returns the
    /// result of a success; a cancelled run throws <see cref="OperationCanceledException"/>, any other end its typed exception.
    /// </summary>
    internal static async Task<PromptResult> SucceededAsync(PromptRun run, CancellationToken cancellationToken)
    {
        await using (run.ConfigureAwait(false))
        {
            var result = await run.Completion.ConfigureAwait(false);
            if (result.Status == PromptStatus.Cancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException($"Prompt {result.PromptId} was cancelled.");
            }

            return result.EnsureSuccess();
        }
    }

    /// <summary>
    /// Follows a prompt whose submission is in doubt (<see cref="ComfyUIPromptFateUnknownException"/>: the server may have queued it) as if it had
    /// been submitted: the run finds it in the queue or the history and ends as it ends there, or ends as lost once the server answers without it
    /// (or stays unreachable). The pool's seam for settling a submission in doubt before it submits the prompt elsewhere.
    /// </summary>
    internal async Task<PromptRun> TrackAsync(string promptId, PromptOptions? options, CancellationToken runToken)
    {
        var hub = RunHub;
        await hub.EnsureConnectedAsync(this, runToken).ConfigureAwait(false);
        var run = new PromptRun(this, hub, promptId, options ?? DefaultPromptOptions, runToken);
        hub.Register(run);
        run.Start(number: null);
        run.RequestReconcile("submit-in-doubt");
        return run;
    }

    /// <summary>
    /// After a POST /prompt that got no answer (<paramref name="lost"/>): retried at most once, and only when the server has no trace of the
    /// prompt id: the server does not de-duplicate ids, so a blind retry could run the prompt twice. A connection that could not even be made sent
    /// nothing: that is a plain <see cref="ComfyUIConnectionException"/> (not retried here); a prompt that may have arrived is a
    /// <see cref="ComfyUIPromptFateUnknownException"/>. (The first POST is awaited in <see cref="SubmitAsync"/> itself: no async layer of its
    /// own on the path of every tracked prompt.)
    /// </summary>
    private async Task<QueuePromptResponse> RetryLostAnswerAsync(Exception lost, byte[] body, string promptId, CancellationToken cancellationToken)
    {
        RunLog.SubmitRetrying(Pipeline.Logger, promptId, lost.Message);
        try
        {
            if (await History.GetAsync(promptId, cancellationToken).ConfigureAwait(false) is not null
                || (await Queue.GetQueueAsync(cancellationToken).ConfigureAwait(false)).Contains(promptId))
            {
                return new QueuePromptResponse { PromptId = promptId };
            }
        }
        catch (ComfyUIException check) when (check is not ComfyUIPromptValidationException)
        {
            // The server cannot tell us whether it has the prompt: retrying could run it twice.
            throw FateUnknown(promptId, lost, check);
        }

        try
        {
            return await Queue.PostPromptAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception retry) when (IsLostAnswer(retry))
        {
            throw FateUnknown(promptId, retry, null);
        }
    }

    /// <summary>A failure that left the prompt's fate open: the request may have reached the server, but no answer came back.</summary>
    private static bool IsLostAnswer(Exception ex) =>
        ex is ComfyUITimeoutException
        || (ex is ComfyUIConnectionException { RequestNeverSent: false } and not ComfyUIPromptFateUnknownException)
        || (ex is ComfyUIApiException api && api.Error is null && IsTransientGatewayStatus(api.StatusCode));

    private ComfyUIPromptFateUnknownException FateUnknown(string promptId, Exception submit, Exception? check) => new(
        $"Prompt {promptId} may or may not have been queued: POST /api/prompt got no answer ({submit.Message})"
        + (check is null ? "" : $", and the server at {BaseAddress} could not be asked afterwards ({check.Message})")
        + $". Check GET /api/history/{promptId} and /api/queue before submitting it again.",
        promptId,
        submit);

    private static bool IsTransientGatewayStatus(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private async Task CleanUpAbandonedAsync(string promptId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), Pipeline.TimeProvider);
        try
        {
            await Queue.DeleteAsync([promptId], timeout.Token).ConfigureAwait(false);
            await Queue.InterruptAsync(promptId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ComfyUIException or OperationCanceledException)
        {
            RunLog.ReconcileFailed(Pipeline.Logger, promptId, ex.Message);
        }
    }
}
