using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// The result store as one firing's pipeline sees it. Three differences from the store itself:
/// <list type="bullet">
/// <item>On a first delivery the pipeline's first read is answered without a round trip: the enqueue left the result
/// as <see cref="TaskResult.ForEnqueued"/> of this very envelope (version 0; with the built-in results table the job
/// stands for it, <see cref="QuartzJobResults"/>), and the pipeline's next write is a compare-and-set on that version,
/// which fails (and makes it read the store) if anything changed meanwhile (cancelled, removed).</item>
/// <item>The pipeline runs a task it finds no result for (a record that expired or was never written); but a firing
/// already on its way when <see cref="QuartzPendingTasks.RemoveAsync"/> deleted its job and its result must not run.
/// So when the result is missing, the firing's job is looked up: gone means removed, and the pipeline is shown a
/// Cancelled result (not stored) and skips the task.</item>
/// <item>With <paramref name="deferRunning"/> (a first delivery; AdoNet, clustered, built-in results table), the
/// pipeline's Running record is written only if the task still runs after that delay
/// (<see cref="QuartzTaskBackendOptions.RunningStatusDelay"/>, <see cref="DeferredRunningWrite"/>). That record is what
/// elsewhere keeps cancel away from a started task; here Quartz's own does it: the firing is recorded as executing, under
/// Quartz's trigger lock, before the job runs, and cancel takes that lock and refuses it (<see cref="QuartzPendingTasks"/>).
/// A recovery is never deferred, so a task that kills its worker at once is still counted as a lost attempt.</item>
/// </list>
/// </summary>
internal sealed class FiringResults(ITaskResultStore store, IScheduler scheduler, TaskEnvelope envelope, string backend, bool firstDelivery = false, TimeSpan? deferRunning = null, TimeProvider? time = null, Action<Exception>? onRunningWriteFailed = null) : ITaskResultStore
{
    // Only a first delivery is deferred: a recovery marks Running at once, so a task that kills its worker is counted.
    private readonly ITaskResultStore _inner = firstDelivery && deferRunning is { } delay
        ? new DeferredRunningResultStore(store, envelope.Id, delay, time ?? TimeProvider.System, onRunningWriteFailed ?? (_ => { }))
        : store;

    private bool _firstRead = firstDelivery;

    /// <inheritdoc />
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (_firstRead && id == envelope.Id)
        {
            _firstRead = false;
            return TaskResult.ForEnqueued(envelope, backend);
        }

        var found = await _inner.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (found is null && id == envelope.Id && await scheduler.GetJobDetail(QuartzTaskMapping.JobKey(id), cancellationToken).ConfigureAwait(false) is null)
        {
            return TaskResult.ForEnqueued(envelope, backend) with { Status = TaskResultStatus.Cancelled };
        }

        return found;
    }

    /// <inheritdoc />
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => _inner.CreateAsync(results, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default) => _inner.TryUpdateAsync(result, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => _inner.DeleteAsync(ids, cancellationToken);
}
