using System.Net;
using ComfyUI.Client.Http;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>
/// Jobs (<c>/api/jobs…</c>, ComfyUI 0.5.1 and later; cancel since 0.25): a normalised view of queue and history. Older servers answer 404;
/// check <see cref="IsSupportedAsync"/>. Get it from <see cref="ComfyUIClient.Jobs"/>. Thread-safe.
/// </summary>
/// <remarks>Absent rule: <see cref="GetAsync"/> returns <see langword="null"/> for an unknown job (404); bad input (400) throws <see cref="ComfyUIApiException"/>.</remarks>
public class JobsClient
{
    private readonly ComfyHttpPipeline _pipeline = null!;
    private Task<bool>? _supported;

    /// <summary>For mocking only.</summary>
    protected JobsClient()
    {
    }

    internal JobsClient(ComfyHttpPipeline pipeline) => _pipeline = pipeline;

    /// <summary>Lists jobs (<c>GET /api/jobs</c>), newest first unless sorted otherwise.</summary>
    /// <param name="query">Filters, sort and paging; <see langword="null"/> for all jobs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page of jobs with pagination data.</returns>
    public virtual Task<JobsPage> ListAsync(JobsQuery? query = null, CancellationToken cancellationToken = default)
    {
        if (query?.Limit is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "Limit must be positive.");
        }

        var call = ComfyRequest.Literal(HttpMethod.Get, "api", "jobs");
        if (query is not null)
        {
            if (query.Statuses is { Count: > 0 } statuses)
            {
                call.Query("status", string.Join(",", statuses.Select(StatusName)));
            }

            call.Query("workflow_id", query.WorkflowId)
                .Query("sort_by", query.SortBy switch { JobSortBy.ExecutionDuration => "execution_duration", JobSortBy.CreatedAt => "created_at", _ => null })
                .Query("sort_order", query.Ascending switch { true => "asc", false => "desc", _ => null })
                .Query("limit", query.Limit)
                .Query("offset", query.Offset);
        }

        return _pipeline.SendJsonAsync(call, ComfyJsonContext.Default.JobsPage, cancellationToken);
    }

    /// <summary>Reads one job (<c>GET /api/jobs/{id}</c>); finished jobs include outputs and the workflow. <see langword="null"/> when unknown (404).</summary>
    /// <param name="jobId">The job (prompt) id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job, or <see langword="null"/> when absent.</returns>
    public virtual Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var call = ComfyRequest.Literal(HttpMethod.Get, "api", "jobs").Escaped(jobId);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        return _pipeline.SendJsonOrNullAsync(call, ComfyJsonContext.Default.Job, null, cancellationToken);
    }

    /// <summary>
    /// Cancels one job (<c>POST /api/jobs/{id}/cancel</c>): a running job is interrupted, a pending one removed from the queue; finished or
    /// unknown jobs are left alone.
    /// </summary>
    /// <param name="jobId">The job (prompt) id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when something was cancelled.</returns>
    public virtual async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var call = ComfyRequest.Literal(HttpMethod.Post, "api", "jobs").Escaped(jobId).Segment("cancel");
        var result = await _pipeline.SendJsonAsync(call, ComfyJsonContext.Default.JobCancelResult, cancellationToken).ConfigureAwait(false);
        return result.Cancelled;
    }

    /// <summary>
    /// Cancels several jobs (<c>POST /api/jobs/cancel</c>), best effort. Ids must be canonical lowercase UUIDs, else the server cancels nothing and
    /// answers 400 (<see cref="ComfyUIApiException"/> with <see cref="ComfyError.InvalidIds"/>).
    /// </summary>
    /// <param name="jobIds">The job ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when at least one job was cancelled.</returns>
    public virtual async Task<bool> CancelManyAsync(IEnumerable<string> jobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var call = ComfyRequest.Literal(HttpMethod.Post, "api", "jobs", "cancel");
        call.Content = RequestContent.Json(new JobCancelBody { JobIds = jobIds.ToArray() }, ComfyJsonContext.Default.JobCancelBody);
        var result = await _pipeline.SendJsonAsync(call, ComfyJsonContext.Default.JobCancelResult, cancellationToken).ConfigureAwait(false);
        return result.Cancelled;
    }

    /// <summary>
    /// Whether the server has the jobs API (<c>GET /api/jobs?limit=1</c> answers; older servers answer 404). The answer is cached once known;
    /// failures other than 404 throw and are not cached.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the jobs routes exist.</returns>
    public virtual async Task<bool> IsSupportedAsync(CancellationToken cancellationToken = default)
    {
        var known = _supported;
        if (known is { IsCompletedSuccessfully: true })
        {
            return known.Result;
        }

        var call = ComfyRequest.Literal(HttpMethod.Get, "api", "jobs").Query("limit", 1L);
        call.PassThroughStatuses = [HttpStatusCode.NotFound];
        using var response = await _pipeline.SendAsync(call, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var supported = response.IsSuccessStatusCode;
        _supported = Task.FromResult(supported);
        return supported;
    }

    private static string StatusName(JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.InProgress => "in_progress",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only known statuses can be filtered on."),
    };
}
