namespace Tasks;

/// <summary>The checks every enqueue passes, whoever calls the backend; throws typed errors naming backend and option.</summary>
public static class TaskValidation
{
    /// <summary>Longest queue name accepted.</summary>
    public const int MaxQueueNameLength = 100;

    /// <summary>Checks an envelope against the common rules and <paramref name="backend"/>'s capabilities and queues.</summary>
    /// <exception cref="InvalidTaskException">Something is invalid or unsupported.</exception>
    public static void Validate(TaskEnvelope envelope, ITaskBackend backend)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ValidateQueueName(envelope.Queue, backend.Alias);
        if (!TaskPriority.IsValid(envelope.Priority))
        {
            throw new InvalidTaskException($"Priority {envelope.Priority} is out of range: it must be between {TaskPriority.Min} and {TaskPriority.Max}.", "Priority", backend.Alias);
        }

        if (envelope.MaxAttempts < 1)
        {
            throw new InvalidTaskException($"MaxAttempts {envelope.MaxAttempts} is invalid: a task has at least 1 attempt.", "MaxAttempts", backend.Alias);
        }

        if (envelope.RunAfter is { } runAfter && runAfter.Offset != TimeSpan.Zero)
        {
            throw new InvalidTaskException($"RunAfter {runAfter:O} must be a UTC instant (offset zero).", "RunAfter", backend.Alias);
        }

        var caps = backend.Capabilities;
        if (envelope.RunAfter is not null && !caps.HasFlag(TaskBackendCapabilities.Defer))
        {
            throw new TaskNotSupportedException(backend.Alias, "RunAfter (deferred tasks)", TaskBackendCapabilities.Defer);
        }

        if (envelope.Priority != TaskPriority.Default && !caps.HasFlag(TaskBackendCapabilities.Priority))
        {
            throw new TaskNotSupportedException(backend.Alias, $"Priority {envelope.Priority} (only the default {TaskPriority.Default})", TaskBackendCapabilities.Priority);
        }

        if (backend.Queues is { } queues && !queues.Contains(envelope.Queue))
        {
            throw new UnknownQueueException(envelope.Queue, backend.Alias, queues);
        }
    }

    /// <summary>Checks a queue name: 1..100 characters of letters, digits, '-', '_' or '.'.</summary>
    /// <exception cref="InvalidTaskException">The name is empty, too long or has another character.</exception>
    public static void ValidateQueueName(string queue, string? backend = null)
    {
        if (string.IsNullOrEmpty(queue) || queue.Length > MaxQueueNameLength || !queue.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new InvalidTaskException($"Queue name '{queue}' is invalid: use 1 to {MaxQueueNameLength} ASCII letters, digits, '-', '_' or '.'.", "Queue", backend);
        }
    }

    /// <summary>Checks that <paramref name="id"/> has the form of a task id (a GUID).</summary>
    /// <exception cref="TaskNotFoundException">It does not, so no such task can exist.</exception>
    public static void ValidateId(string id, string? backend = null)
    {
        if (!Guid.TryParse(id, out _))
        {
            throw new TaskNotFoundException(id ?? "(null)", backend, "the id is not a task id (a GUID)");
        }
    }
}
