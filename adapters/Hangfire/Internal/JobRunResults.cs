namespace Tasks.Hangfire.Internal;

/// <summary>
/// The PostgreSQL result store as one run of a task's Hangfire job sees it. The task's own result is its row if it has
/// one (a retry, a failure, a lost or handed-back attempt) or else the task as enqueued; no job state is read, since the
/// job is the one being run. A retry's or failure's row is written with the next attempt's number in the job's envelope
/// argument (in the same statement), which is how a later run of the job knows to read it. Its success is not written:
/// the run returns it and Hangfire keeps it in the job's Succeeded state, in the transaction Hangfire commits anyway.
/// Every other record of the task (Running after the delay, a retry, a failure) is written as the task's row. A task
/// that had a row gets its success written there too, so no row says Ready or Running after the job succeeded.
/// </summary>
internal sealed class JobRunResults(PostgreSqlResultStore store, TaskEnvelope envelope, string jobId, string backend) : ITaskResultStore
{
    private volatile bool _hasRow;

    /// <inheritdoc />
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (id != envelope.Id)
        {
            return await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        }

        var row = await store.FindRowAsync(id, cancellationToken).ConfigureAwait(false);
        _hasRow |= row is not null;
        return (row ?? TaskResult.ForEnqueued(envelope, backend)) with { EngineId = jobId };
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        if (result.Id != envelope.Id)
        {
            return await store.TryUpdateAsync(result, expectedVersion, cancellationToken).ConfigureAwait(false);
        }

        result = result with { EngineId = jobId };
        bool written;
        switch (result.Status)
        {
            case TaskResultStatus.Succeeded when !_hasRow:
                // Kept by Hangfire as the job's return value (HangfireJobRunner returns it).
                return true;
            case TaskResultStatus.Ready when result.Attempts == 0 && result.Errors.Count == 0:
                // A first attempt handed back at shutdown: the task is as enqueued again, which its job says without a row
                // (and its next run, a first attempt, reads none).
                written = await store.TryDeleteRowAsync(result.Id, expectedVersion, cancellationToken).ConfigureAwait(false);
                _hasRow &= !written;
                return written;
            case TaskResultStatus.Ready or TaskResultStatus.Failed:
                // A retry or a failure: the job's next run (the retry, or a requeue from the dashboard) must read this row.
                written = await store.TryUpdateAsync(result, expectedVersion, jobId, envelope with { Attempt = result.Attempts + 1 }, cancellationToken).ConfigureAwait(false);
                break;
            default:
                written = await store.TryUpdateAsync(result, expectedVersion, cancellationToken).ConfigureAwait(false);
                break;
        }

        _hasRow |= written;
        return written;
    }

    /// <inheritdoc />
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => store.CreateAsync(results, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => store.DeleteAsync(ids, cancellationToken);
}
