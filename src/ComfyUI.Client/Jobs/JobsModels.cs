using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyUI.Client.Serialization;

namespace ComfyUI.Client;

/// <summary>The status of a job (<c>/api/jobs</c>).</summary>
public enum JobStatus
{
    /// <summary>A status this SDK does not know (see <see cref="Job.StatusText"/>).</summary>
    Unknown,

    /// <summary>Queued (<c>pending</c>).</summary>
    Pending,

    /// <summary>Running (<c>in_progress</c>).</summary>
    InProgress,

    /// <summary>Finished successfully (<c>completed</c>).</summary>
    Completed,

    /// <summary>Finished with an error (<c>failed</c>).</summary>
    Failed,

    /// <summary>Interrupted (<c>cancelled</c>, since ComfyUI 0.8.2).</summary>
    Cancelled,
}

/// <summary>The sort key of a job listing.</summary>
public enum JobSortBy
{
    /// <summary>By creation time (<c>created_at</c>, server default).</summary>
    CreatedAt,

    /// <summary>By execution duration (<c>execution_duration</c>).</summary>
    ExecutionDuration,
}

/// <summary>Filters, sort and paging of <see cref="JobsClient.ListAsync"/>. Every member is optional.</summary>
public sealed class JobsQuery
{
    /// <summary>Only jobs in these statuses; <see langword="null"/> or empty for all.</summary>
    public IReadOnlyList<JobStatus>? Statuses { get; init; }

    /// <summary>Only jobs of this workflow (<c>extra_data.extra_pnginfo.workflow.id</c>).</summary>
    public string? WorkflowId { get; init; }

    /// <summary>The sort key; <see langword="null"/> for the server default (creation time).</summary>
    public JobSortBy? SortBy { get; init; }

    /// <summary>Ascending instead of descending (the server default is descending).</summary>
    public bool? Ascending { get; init; }

    /// <summary>The page size (&gt; 0); <see langword="null"/> for all.</summary>
    public int? Limit { get; init; }

    /// <summary>The number of jobs to skip.</summary>
    public int? Offset { get; init; }
}

/// <summary>One page of jobs.</summary>
public sealed class JobsPage
{
    /// <summary>The jobs of this page.</summary>
    public IReadOnlyList<Job> Jobs { get; init; } = [];

    /// <summary>Where the page is in the whole filtered list.</summary>
    public JobsPagination Pagination { get; init; } = new();
}

/// <summary>The paging data of a <see cref="JobsPage"/>.</summary>
public sealed class JobsPagination
{
    /// <summary>The offset of the page.</summary>
    public int Offset { get; init; }

    /// <summary>The limit applied, or <see langword="null"/> for none.</summary>
    public int? Limit { get; init; }

    /// <summary>The number of jobs that match the filter.</summary>
    public int Total { get; init; }

    /// <summary>Whether more jobs follow this page.</summary>
    public bool HasMore { get; init; }
}

/// <summary>A job: the server's normalised view of a queued, running or finished prompt. Fields the server omits are <see langword="null"/>.</summary>
public sealed class Job
{
    /// <summary>The job id (= prompt id).</summary>
    public string Id { get; init; } = "";

    /// <summary>The status as the server wrote it.</summary>
    [JsonPropertyName("status")]
    public string StatusText { get; init; } = "";

    /// <summary>The status; <see cref="JobStatus.Unknown"/> for a value this SDK does not know.</summary>
    [JsonIgnore]
    public JobStatus Status => StatusText switch
    {
        "pending" => JobStatus.Pending,
        "in_progress" => JobStatus.InProgress,
        "completed" => JobStatus.Completed,
        "failed" => JobStatus.Failed,
        "cancelled" => JobStatus.Cancelled,
        _ => JobStatus.Unknown,
    };

    /// <summary>The queue priority (the queue <c>number</c>).</summary>
    public double? Priority { get; init; }

    /// <summary>When the job was queued.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? CreateTime { get; init; }

    /// <summary>When execution started.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? ExecutionStartTime { get; init; }

    /// <summary>When execution ended.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? ExecutionEndTime { get; init; }

    /// <summary>The <c>execution_error</c> payload of a failed job.</summary>
    public JsonElement? ExecutionError { get; init; }

    /// <summary>The number of outputs.</summary>
    public int? OutputsCount { get; init; }

    /// <summary>The number of outputs that can be previewed (since ComfyUI 0.31).</summary>
    public int? PreviewableOutputsCount { get; init; }

    /// <summary>An output to preview the job with.</summary>
    public JobPreviewOutput? PreviewOutput { get; init; }

    /// <summary>The workflow id, when the prompt carried one.</summary>
    public string? WorkflowId { get; init; }

    /// <summary>The outputs by node id (single finished job only).</summary>
    public IReadOnlyDictionary<string, NodeOutput>? Outputs { get; init; }

    /// <summary>The raw history status (single finished job only).</summary>
    public HistoryStatus? ExecutionStatus { get; init; }

    /// <summary>The workflow: <c>{prompt, extra_data}</c> (single finished job only).</summary>
    public JsonElement? Workflow { get; init; }
}

/// <summary>The preview output of a job: a file reference, or text for text-only jobs.</summary>
public sealed class JobPreviewOutput
{
    /// <summary>The file name, for file previews.</summary>
    public string? Filename { get; init; }

    /// <summary>The subfolder.</summary>
    public string? Subfolder { get; init; }

    /// <summary>The folder type.</summary>
    public string? Type { get; init; }

    /// <summary>The node that produced it.</summary>
    [JsonPropertyName("nodeId")]
    public string? NodeId { get; init; }

    /// <summary>The media kind: <c>images</c>, <c>video</c>, <c>audio</c>, <c>3d</c>, <c>text</c>, …</summary>
    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    /// <summary>The text of a text preview.</summary>
    public string? Content { get; init; }

    /// <summary>Whether <see cref="Content"/> was truncated.</summary>
    public bool? Truncated { get; init; }

    /// <summary>The file as a reference for <see cref="FilesClient"/>, or <see langword="null"/> for a text preview.</summary>
    /// <returns>The file reference or <see langword="null"/>.</returns>
    public OutputFile? ToOutputFile() => Filename is null ? null : new OutputFile { Filename = Filename, Subfolder = Subfolder ?? "", Type = Type ?? "output" };
}

/// <summary>The answer of the cancel routes.</summary>
internal sealed class JobCancelResult
{
    public bool Cancelled { get; init; }
}

/// <summary>The body of <c>POST /api/jobs/cancel</c>.</summary>
internal sealed class JobCancelBody
{
    public IReadOnlyList<string> JobIds { get; init; } = [];
}
