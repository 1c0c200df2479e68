namespace Tasks;

/// <summary>
/// One delivery's view of a result store in which the delivery's <see cref="TaskResultStatus.Running"/> record is written
/// only if the task still runs after a delay (<see cref="DeferredRunningWrite"/>): the pipeline's first update of the
/// task, when it is the Running record, is held back, and its next update goes through the held write. Everything else
/// passes straight to the store. Create one per delivery, and only where the engine itself keeps a started task from
/// being cancelled or started twice.
/// </summary>
/// <param name="inner">The backend's result store.</param>
/// <param name="taskId">The delivered task's id.</param>
/// <param name="delay">How long the task must run before its Running record is written.</param>
/// <param name="time">The clock of the delay.</param>
/// <param name="onRunningWriteFailed">Hears a Running write that threw (the next write copes with either stored version).</param>
public sealed class DeferredRunningResultStore(ITaskResultStore inner, string taskId, TimeSpan delay, TimeProvider time, Action<Exception> onRunningWriteFailed) : ITaskResultStore
{
    private bool _firstWrite = true;
    private DeferredRunningWrite? _running;

    /// <inheritdoc />
    public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => inner.CreateAsync(results, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Id == taskId)
        {
            if (_running is { } running)
            {
                return ThenAsync(running, result, expectedVersion, cancellationToken);
            }

            if (_firstWrite)
            {
                _firstWrite = false;
                if (result.Status == TaskResultStatus.Running)
                {
                    _running = new DeferredRunningWrite(expectedVersion, (version, ct) => inner.TryUpdateAsync(result, version, ct), delay, time, onRunningWriteFailed);
                    return Task.FromResult(true);
                }
            }
        }

        return inner.TryUpdateAsync(result, expectedVersion, cancellationToken);
    }

    /// <summary>
    /// The update after the held Running record, through it. Only one that did not throw ends the holding: after a write
    /// that threw (the store away), the pipeline writes another record expecting the Running record's version, and that
    /// one must go through the held write too, or it would expect a record that may never have been stored.
    /// </summary>
    private async Task<bool> ThenAsync(DeferredRunningWrite running, TaskResult result, long expectedVersion, CancellationToken cancellationToken)
    {
        var written = await running.ThenAsync(expectedVersion, (version, ct) => inner.TryUpdateAsync(result, version, ct), cancellationToken).ConfigureAwait(false);
        _running = null;
        return written;
    }

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
}
