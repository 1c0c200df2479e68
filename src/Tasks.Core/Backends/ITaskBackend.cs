namespace Tasks;

/// <summary>
/// An engine that stores and delivers tasks. Adapters implement this (usually by deriving from
/// <see cref="TaskBackendBase"/>); application code talks to <see cref="ITaskQueue"/> instead.
/// </summary>
public interface ITaskBackend
{
    /// <summary>The alias this backend is configured under.</summary>
    string Alias { get; }

    /// <summary>What it can honour; anything else is refused with <see cref="TaskNotSupportedException"/>.</summary>
    TaskBackendCapabilities Capabilities { get; }

    /// <summary>The queues it serves, or <see langword="null"/> when any valid queue name is accepted.</summary>
    IReadOnlyCollection<string>? Queues { get; }

    /// <summary>Stores and schedules one task; returns its <see cref="TaskResultStatus.Ready"/> result (or, for an inline backend, its final one).</summary>
    /// <exception cref="InvalidTaskException">The envelope asks for something this backend cannot do.</exception>
    /// <exception cref="TaskBackendUnavailableException">The server could not be reached; nothing was enqueued.</exception>
    Task<TaskResult> EnqueueAsync(TaskEnvelope envelope, CancellationToken cancellationToken = default);

    /// <summary>Stores and schedules several tasks, in one round trip where the engine allows; results are in input order.</summary>
    Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default);

    /// <summary>The current result of a task.</summary>
    /// <exception cref="TaskNotFoundException">No such task on this backend.</exception>
    Task<TaskResult> GetResultAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task that has not started. Returns <see langword="false"/> when it has already started or finished.</summary>
    /// <exception cref="TaskNotFoundException">No such task on this backend.</exception>
    Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default);
}
