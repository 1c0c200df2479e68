using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// The result store as one firing's pipeline sees it. The pipeline runs a task it finds no result for (a record that
/// expired or was never written); but a firing already on its way when <see cref="QuartzPendingTasks.RemoveAsync"/>
/// deleted its job and then its result must not run. So when the result is missing, the firing's job is looked up:
/// gone means removed, and the pipeline is shown a Cancelled result (not stored) and skips the task.
/// </summary>
internal sealed class FiringResults(ITaskResultStore inner, IScheduler scheduler, TaskEnvelope envelope, string backend) : ITaskResultStore
{
    /// <inheritdoc />
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
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
