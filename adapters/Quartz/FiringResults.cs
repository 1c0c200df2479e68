using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// The result store as one firing's pipeline sees it. Two differences from the store itself:
/// <list type="bullet">
/// <item>On a first delivery the pipeline's first read is answered without a round trip: the enqueue wrote the result
/// as <see cref="TaskResult.ForEnqueued"/> of this very envelope (version 0), and the pipeline's next step is a
/// compare-and-set on that version, which fails (and makes it read the store) if anything changed meanwhile
/// (cancelled, removed).</item>
/// <item>The pipeline runs a task it finds no result for (a record that expired or was never written); but a firing
/// already on its way when <see cref="QuartzPendingTasks.RemoveAsync"/> deleted its job and its result must not run.
/// So when the result is missing, the firing's job is looked up: gone means removed, and the pipeline is shown a
/// Cancelled result (not stored) and skips the task.</item>
/// </list>
/// </summary>
internal sealed class FiringResults(ITaskResultStore inner, IScheduler scheduler, TaskEnvelope envelope, string backend, bool firstDelivery = false) : ITaskResultStore
{
    private bool _firstRead = firstDelivery;

    /// <inheritdoc />
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (_firstRead && id == envelope.Id)
        {
            _firstRead = false;
            return TaskResult.ForEnqueued(envelope, backend);
        }

        var found = await inner.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (found is null && id == envelope.Id && await scheduler.GetJobDetail(QuartzTaskMapping.JobKey(id), cancellationToken).ConfigureAwait(false) is null)
        {
            return TaskResult.ForEnqueued(envelope, backend) with { Status = TaskResultStatus.Cancelled };
        }

        return found;
    }

    /// <inheritdoc />
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => inner.CreateAsync(results, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default) => inner.TryUpdateAsync(result, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
}
