namespace Tasks;

/// <summary>
/// Enqueues tasks and reads their results. Inject it anywhere; <see cref="With"/> returns a copy with per-enqueue
/// overrides and never changes a task's definition.
/// </summary>
public interface ITaskQueue
{
    /// <summary>A queue whose enqueues override the definitions' queue, priority, run-after or backend.</summary>
    /// <param name="queue">Queue name.</param>
    /// <param name="priority">Priority, -100..100.</param>
    /// <param name="runAfter">Not before this instant (converted to UTC).</param>
    /// <param name="backend">Backend alias.</param>
    /// <exception cref="InvalidTaskException">An override is invalid.</exception>
    ITaskQueue With(string? queue = null, int? priority = null, DateTimeOffset? runAfter = null, string? backend = null);

    /// <summary>A queue whose enqueues wait until <paramref name="runAfterUtc"/>.</summary>
    /// <exception cref="InvalidTaskException"><paramref name="runAfterUtc"/> is not of <see cref="DateTimeKind.Utc"/>, so its instant is ambiguous.</exception>
    ITaskQueue RunAfter(DateTime runAfterUtc);

    /// <summary>A queue whose enqueues wait <paramref name="delay"/> from the moment of enqueue.</summary>
    ITaskQueue Delay(TimeSpan delay);

    /// <summary>Enqueues the one task that takes <typeparamref name="TArgs"/>.</summary>
    /// <exception cref="InvalidTaskException">Unknown task, invalid or unsupported option, or unserializable arguments; nothing was enqueued.</exception>
    /// <exception cref="TaskBackendUnavailableException">The backend's server could not be reached; nothing was enqueued.</exception>
    Task<TaskResult> EnqueueAsync<TArgs>(TArgs args, CancellationToken cancellationToken = default);

    /// <summary>Enqueues the task named <paramref name="taskName"/>.</summary>
    Task<TaskResult> EnqueueAsync<TArgs>(string taskName, TArgs args, CancellationToken cancellationToken = default);

    /// <summary>Enqueues many tasks of one kind, in one round trip where the backend allows; results are in input order. If any item is invalid, nothing is enqueued and <see cref="TaskBulkEnqueueException"/> lists every bad item.</summary>
    Task<IReadOnlyList<TaskResult>> EnqueueManyAsync<TArgs>(IEnumerable<TArgs> args, CancellationToken cancellationToken = default);

    /// <summary>Enqueues many tasks named <paramref name="taskName"/>.</summary>
    Task<IReadOnlyList<TaskResult>> EnqueueManyAsync<TArgs>(string taskName, IEnumerable<TArgs> args, CancellationToken cancellationToken = default);

    /// <summary>The current result of a task, from any process that reaches its backend (the default backend first, then the others).</summary>
    /// <exception cref="TaskNotFoundException">No such task, or a malformed id.</exception>
    Task<TaskResult> GetResultAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Waits until the task is finished (succeeded, failed or cancelled) and returns its result.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    Task<TaskResult> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task that has not started; <see langword="false"/> if it already started or finished.</summary>
    /// <exception cref="TaskNotFoundException">No such task.</exception>
    /// <exception cref="TaskNotSupportedException">Its backend cannot cancel.</exception>
    Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default);
}
