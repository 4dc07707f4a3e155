using System.Text.Json;
using ComfyUI.Client.Diagnostics;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// The queue: <c>POST /prompt</c>, <c>GET /prompt</c>, <c>GET/POST /queue</c> and <c>POST /interrupt</c>.
/// Get it from <see cref="ComfyUIClient.Queue"/>. Thread-safe.
/// </summary>
public class QueueClient
{
    private static readonly Utf8BodyParser<QueuePromptResponse> ReadPromptResponse = HistoryEntryReader.ReadPromptResponse;
    private readonly ComfyHttpPipeline _pipeline = null!;

    /// <summary>For mocking only.</summary>
    protected QueueClient()
    {
    }

    internal QueueClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>
    /// Queues a prompt (<c>POST /prompt</c>). The prompt id is made by the client unless <see cref="QueuePromptRequest.PromptId"/> is set,
    /// and the client id defaults to <see cref="ComfyUIClientOptions.ClientId"/>, so the prompt's events reach this client's WebSocket.
    /// This call is not retried: to follow the prompt reliably use <c>ComfyUIClient.SubmitAsync</c>.
    /// </summary>
    /// <param name="request">The prompt and how to queue it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The prompt id and queue number.</returns>
    /// <exception cref="ComfyUIPromptValidationException">The server rejected the prompt (nothing was queued).</exception>
    /// <exception cref="ComfyUIApiException">Another failure answer.</exception>
    public virtual async Task<QueuePromptResponse> QueuePromptAsync(QueuePromptRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var promptId = request.PromptId ?? NewPromptId();
        var body = new QueuePromptBody
        {
            Prompt = request.Prompt,
            ClientId = request.ClientId ?? _pipeline.Options.ClientId,
            PromptId = promptId,
            Number = request.Number,
            Front = request.Number is null ? request.Front : null,
            ExtraData = request.ExtraData,
            PartialExecutionTargets = request.PartialExecutionTargets,
        };
        var response = await PostPromptAsync(JsonSerializer.SerializeToUtf8Bytes(body, ComfyJsonContext.Default.QueuePromptBody), cancellationToken).ConfigureAwait(false);
        HttpLog.PromptQueued(_pipeline.Logger, response.PromptId, response.Number);
        return response;
    }

    /// <summary>
    /// <c>POST /prompt</c> with a body already serialized (the run tracker serializes it once, for a possible safe retry too). The caller logs
    /// the answer (<see cref="HttpLog.PromptQueued"/>): no async layer of its own on the path of every tracked prompt when nobody listens.
    /// </summary>
    internal Task<QueuePromptResponse> PostPromptAsync(byte[] body, CancellationToken cancellationToken) =>
        ComfyTelemetry.Source.HasListeners() || ComfyMetrics.ValidationErrors.Enabled
            ? PostPromptObservedAsync(body, cancellationToken)
            : PostPromptCoreAsync(body, cancellationToken);

    private Task<QueuePromptResponse> PostPromptCoreAsync(byte[] body, CancellationToken cancellationToken)
    {
        var call = ComfyRequest.Api(HttpMethod.Post, "prompt");
        call.Content = RequestContent.Json(body);
        call.IsPromptSubmission = true;
        return _pipeline.SendBufferedAsync(call, ReadPromptResponse, cancellationToken);
    }

    /// <summary>The POST inside its <c>comfyui.submit</c> span, counting the validation errors of a rejected prompt.</summary>
    private async Task<QueuePromptResponse> PostPromptObservedAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var span = ClientSpans.StartSubmit(_pipeline.Server);
        QueuePromptResponse response;
        try
        {
            response = await PostPromptCoreAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (ComfyUIPromptValidationException rejected)
        {
            ComfyMetrics.RecordValidationErrors(_pipeline.Server, rejected);
            if (span is not null)
            {
                ClientSpans.Fail(span, rejected);
            }

            throw;
        }
        catch (Exception ex) when (span is not null)
        {
            ClientSpans.Fail(span, ex);
            throw;
        }

        span?.SetTag(TelemetryNames.PromptId, response.PromptId);
        span?.SetTag(TelemetryNames.PromptNumber, response.Number);
        return response;
    }

    /// <summary>Makes a prompt id in the form the server requires: a lowercase hyphenated GUID.</summary>
    /// <returns>A new prompt id.</returns>
    public static string NewPromptId() => Guid.NewGuid().ToString("D");

    /// <summary>Reads how many prompts remain (<c>GET /prompt</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The queue status.</returns>
    public virtual Task<QueueStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "prompt"), ComfyJsonContext.Default.QueueStatus, cancellationToken);

    /// <summary>Reads the running and pending prompts (<c>GET /queue</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The queue.</returns>
    public virtual Task<QueueState> GetQueueAsync(CancellationToken cancellationToken = default) =>
        _pipeline.SendJsonAsync(ComfyRequest.Api(HttpMethod.Get, "queue"), ComfyJsonContext.Default.QueueState, cancellationToken);

    /// <summary>Removes pending prompts from the queue (<c>POST /queue {"delete": [...]}</c>). Running prompts are not affected; unknown ids are ignored.</summary>
    /// <param name="promptIds">The prompt ids to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server answered.</returns>
    public virtual Task DeleteAsync(IEnumerable<string> promptIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        var call = ComfyRequest.Api(HttpMethod.Post, "queue");
        call.Content = RequestContent.Json(new ClearOrDeleteBody { Delete = promptIds.ToArray() }, ComfyJsonContext.Default.ClearOrDeleteBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }

    /// <summary>Removes every pending prompt (<c>POST /queue {"clear": true}</c>), including other clients' prompts. The running prompt continues.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server answered.</returns>
    public virtual Task ClearAsync(CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Post, "queue");
        call.Content = RequestContent.Json(new ClearOrDeleteBody { Clear = true }, ComfyJsonContext.Default.ClearOrDeleteBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }

    /// <summary>
    /// Interrupts execution (<c>POST /interrupt</c>). With a prompt id only that prompt is interrupted, and only if it is the one running;
    /// without one, whatever runs is interrupted, whoever queued it. Not retried: a retry could interrupt the next prompt.
    /// </summary>
    /// <param name="promptId">The prompt to interrupt, or <see langword="null"/> for a global interrupt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server answered.</returns>
    public virtual Task InterruptAsync(string? promptId = null, CancellationToken cancellationToken = default)
    {
        var call = ComfyRequest.Api(HttpMethod.Post, "interrupt");
        call.Content = RequestContent.Json(new InterruptBody { PromptId = promptId }, ComfyJsonContext.Default.InterruptBody);
        return _pipeline.SendAsync(call, cancellationToken);
    }
}
