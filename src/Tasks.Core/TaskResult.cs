using System.Text.Json.Serialization;

namespace Tasks;

/// <summary>
/// Everything known about one enqueued task: status, arguments, return value, errors per attempt and timestamps.
/// Immutable: a newer state is a new value (use <c>with</c>).
/// </summary>
public sealed record TaskResult
{
    /// <summary>Our id for the task; THE id for <c>GetResultAsync</c> and <c>CancelAsync</c> on every backend.</summary>
    public required string Id { get; init; }

    /// <summary>The engine's own id for the task, where it has one (e.g. a Hangfire job id).</summary>
    public string? EngineId { get; init; }

    /// <summary>The task's stable name.</summary>
    public required string TaskName { get; init; }

    /// <summary>Alias of the backend that holds the task.</summary>
    public required string Backend { get; init; }

    /// <summary>The queue it was enqueued on.</summary>
    public required string Queue { get; init; }

    /// <summary>Its priority.</summary>
    public int Priority { get; init; }

    /// <summary>The instant before which it does not run, if any.</summary>
    public DateTimeOffset? RunAfter { get; init; }

    /// <summary>Where the task is in its life.</summary>
    public TaskResultStatus Status { get; init; }

    /// <summary>The serialized arguments.</summary>
    public required string Arguments { get; init; }

    /// <summary>The serialized return value once <see cref="Status"/> is <see cref="TaskResultStatus.Succeeded"/>; read it with <see cref="GetReturnValue{T}"/>.</summary>
    public string? ReturnValue { get; init; }

    /// <summary>One entry per failed attempt, oldest first.</summary>
    public IReadOnlyList<TaskError> Errors { get; init; } = [];

    /// <summary>How many attempts have started.</summary>
    public int Attempts { get; init; }

    /// <summary>How many attempts the task may have in all.</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>Ids of the workers that ran attempts, in order.</summary>
    public IReadOnlyList<string> WorkerIds { get; init; } = [];

    /// <summary>When it was enqueued (UTC).</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>When its first attempt started (UTC).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its latest attempt started (UTC).</summary>
    public DateTimeOffset? LastAttemptedAt { get; init; }

    /// <summary>When it reached a final status (UTC).</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Incremented by every write; stores compare it so concurrent writers never overwrite each other.</summary>
    public long Version { get; init; }

    /// <summary>The serializer used by <see cref="GetArguments{T}"/> and <see cref="GetReturnValue{T}"/>; the task queue attaches its own.</summary>
    [JsonIgnore]
    public ITaskSerializer? Serializer { get; init; }

    /// <summary>Whether the status is final (succeeded, failed or cancelled).</summary>
    [JsonIgnore]
    public bool IsFinished => Status is TaskResultStatus.Succeeded or TaskResultStatus.Failed or TaskResultStatus.Cancelled;

    /// <summary>The arguments as <typeparamref name="T"/>.</summary>
    public T GetArguments<T>() => (T)SerializerOrDefault.Deserialize(Arguments, typeof(T))!;

    /// <summary>The return value as <typeparamref name="T"/>.</summary>
    /// <exception cref="TaskResultNotReadyException">The task has not succeeded (yet).</exception>
    public T GetReturnValue<T>()
    {
        if (Status != TaskResultStatus.Succeeded)
        {
            throw new TaskResultNotReadyException(Id, Status);
        }

        return ReturnValue is null ? default! : (T)SerializerOrDefault.Deserialize(ReturnValue, typeof(T))!;
    }

    /// <summary>A new <see cref="TaskResultStatus.Ready"/> result for an envelope that is being enqueued.</summary>
    public static TaskResult ForEnqueued(TaskEnvelope envelope, string backend) => new()
    {
        Id = envelope.Id,
        TaskName = envelope.TaskName,
        Backend = backend,
        Queue = envelope.Queue,
        Priority = envelope.Priority,
        RunAfter = envelope.RunAfter,
        Status = TaskResultStatus.Ready,
        Arguments = envelope.Arguments,
        MaxAttempts = envelope.MaxAttempts,
        EnqueuedAt = envelope.EnqueuedAt,
    };

    private ITaskSerializer SerializerOrDefault => Serializer ?? SystemTextJsonTaskSerializer.Default;
}
