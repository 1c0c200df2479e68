namespace Tasks.MassTransit;

/// <summary>
/// The MassTransit message that carries one <see cref="TaskEnvelope"/> (message type
/// <c>urn:message:Tasks.MassTransit:TaskEnvelopeMessage</c>). Field for field the envelope, so other MassTransit
/// applications can read or produce it; <see cref="Arguments"/> stays the task's serialized arguments, untouched.
/// </summary>
public sealed class TaskEnvelopeMessage
{
    /// <summary>The task id (a GUID string).</summary>
    public string Id { get; init; } = "";

    /// <summary>The task's stable name.</summary>
    public string TaskName { get; init; } = "";

    /// <summary>The Tasks queue name (without the backend's prefix).</summary>
    public string Queue { get; init; } = "";

    /// <summary>Priority on the Tasks scale, -100..100.</summary>
    public int Priority { get; init; }

    /// <summary>Not to be run before this UTC instant.</summary>
    public DateTimeOffset? RunAfter { get; init; }

    /// <summary>The serialized arguments.</summary>
    public string Arguments { get; init; } = "";

    /// <summary>The attempt this delivery is for, from 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Attempts allowed in all.</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>When the task was first enqueued (UTC).</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>W3C <c>traceparent</c> of the enqueue.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> of the enqueue.</summary>
    public string? TraceState { get; init; }

    /// <summary>The message for <paramref name="envelope"/>.</summary>
    public static TaskEnvelopeMessage From(TaskEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new TaskEnvelopeMessage
        {
            Id = envelope.Id,
            TaskName = envelope.TaskName,
            Queue = envelope.Queue,
            Priority = envelope.Priority,
            RunAfter = envelope.RunAfter,
            Arguments = envelope.Arguments,
            Attempt = envelope.Attempt,
            MaxAttempts = envelope.MaxAttempts,
            EnqueuedAt = envelope.EnqueuedAt,
            TraceParent = envelope.TraceParent,
            TraceState = envelope.TraceState,
        };
    }

    /// <summary>The envelope this message carries.</summary>
    public TaskEnvelope ToEnvelope() => new()
    {
        Id = Id,
        TaskName = TaskName,
        Queue = Queue,
        Priority = Priority,
        RunAfter = RunAfter?.ToUniversalTime(),
        Arguments = Arguments,
        Attempt = Attempt,
        MaxAttempts = MaxAttempts,
        EnqueuedAt = EnqueuedAt.ToUniversalTime(),
        TraceParent = TraceParent,
        TraceState = TraceState,
    };
}
