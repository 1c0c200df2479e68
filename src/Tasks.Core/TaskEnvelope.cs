namespace Tasks;

/// <summary>
/// The unit every backend moves: the task's name, serialized arguments and routing data. Adapters store and
/// deliver envelopes; they never look inside <see cref="Arguments"/>.
/// </summary>
public sealed record TaskEnvelope
{
    /// <summary>Our task id (a GUID string), the same on every backend.</summary>
    public required string Id { get; init; }

    /// <summary>The task's stable name.</summary>
    public required string TaskName { get; init; }

    /// <summary>The queue it goes to.</summary>
    public required string Queue { get; init; }

    /// <summary>Priority, -100..100; larger runs sooner.</summary>
    public int Priority { get; init; }

    /// <summary>Not to be run before this UTC instant; <see langword="null"/> runs as soon as possible.</summary>
    public DateTimeOffset? RunAfter { get; init; }

    /// <summary>The serialized arguments (JSON with the default serializer).</summary>
    public required string Arguments { get; init; }

    /// <summary>The attempt this delivery is for, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>How many attempts the task may have in all.</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>When the task was first enqueued (UTC).</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>W3C <c>traceparent</c> of the enqueue, so execution joins the same trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> of the enqueue.</summary>
    public string? TraceState { get; init; }

    /// <summary>
    /// The envelope of the next attempt of a task that has not started it, rebuilt from its result: what a backend that
    /// lists pending tasks from its result store hands out (no trace context: results do not keep it).
    /// </summary>
    /// <param name="result">A result that is still <see cref="TaskResultStatus.Ready"/>.</param>
    public static TaskEnvelope ForNextAttempt(TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new TaskEnvelope
        {
            Id = result.Id,
            TaskName = result.TaskName,
            Queue = result.Queue,
            Priority = result.Priority,
            RunAfter = result.RunAfter,
            Arguments = result.Arguments,
            Attempt = result.Attempts + 1,
            MaxAttempts = result.MaxAttempts,
            EnqueuedAt = result.EnqueuedAt,
        };
    }
}
