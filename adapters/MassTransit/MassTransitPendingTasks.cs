using System.Runtime.CompilerServices;
using Tasks.Backends;
using Tasks.PostgreSql;

namespace Tasks.MassTransit;

/// <summary>
/// The <see cref="TaskBackendCapabilities.ListPending"/> side of a MassTransit backend. A broker cannot list messages
/// without taking them, but the result store knows every task that has not started: its result is Ready (new, deferred,
/// waiting for a retry, or handed back by a stopping worker) and holds everything an envelope needs, with a retry's
/// run-after and attempt already updated. So listing reads Ready results of this backend's alias (keyset pages in
/// PostgreSQL, a snapshot in memory), and removing is a compare-and-set Ready → Cancelled: the message left in the
/// broker then finds its task finished and is acknowledged without running, like a cancelled task's. The result is
/// kept (not deleted), because a message whose result is missing would be run and its result recreated.
/// </summary>
internal sealed class MassTransitPendingTasks(MassTransitTaskBackend backend, TimeProvider time)
{
    /// <summary>Results per PostgreSQL page.</summary>
    internal const int PageSize = 1_000;

    /// <summary>The <see cref="TaskError.ExceptionType"/> of the marker a removed task's result gets.</summary>
    public const string RemovedMarker = "Tasks.RemovedPending";

    /// <summary>Whether the result store can list its Ready results (the two stores the backend makes itself).</summary>
    public bool IsSupported => backend.Results is PostgreSqlTaskResultStore or InMemoryTaskResultStore;

    public async IAsyncEnumerable<TaskEnvelope> ListAsync(string? queue, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        switch (backend.Results)
        {
            case PostgreSqlTaskResultStore sql:
                TaskResult? after = null;
                while (true)
                {
                    var page = await sql.ListReadyAsync(queue, after, PageSize, cancellationToken).ConfigureAwait(false);
                    foreach (var r in page)
                    {
                        if (IsOurs(r))
                        {
                            yield return TaskEnvelope.ForNextAttempt(r);
                        }
                    }

                    if (page.Count < PageSize)
                    {
                        yield break;
                    }

                    after = page[^1];
                }

            case InMemoryTaskResultStore memory:
                // The same order as PostgreSQL's pages: queue, then id.
                var ready = memory.Snapshot()
                    .Where(r => r.Status == TaskResultStatus.Ready && IsOurs(r) && (queue is null || r.Queue == queue))
                    .OrderBy(r => r.Queue, StringComparer.Ordinal)
                    .ThenBy(r => r.Id, StringComparer.OrdinalIgnoreCase);
                foreach (var r in ready)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return TaskEnvelope.ForNextAttempt(r);
                }

                yield break;

            default:
                throw Unsupported();
        }
    }

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsSupported)
        {
            throw Unsupported();
        }

        if (!Guid.TryParse(id, out _))
        {
            return false;
        }

        // Only a worker's start (Ready → Running) or a cancel competes for a Ready result, and both leave Ready: a lost
        // compare-and-set is then final. The loop only covers a Ready → Ready write (a result rewritten by its own tools).
        for (var tries = 0; tries < 5; tries++)
        {
            var current = await backend.Results.FindAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is not { Status: TaskResultStatus.Ready } || !IsOurs(current))
            {
                return false;
            }

            var now = time.GetUtcNow();
            var marker = new TaskError(current.Attempts + 1, RemovedMarker, $"Removed before it started from backend '{backend.Alias}' (moved to another backend, e.g. by TaskMigrator); its message left in the broker is acknowledged without running.", null, now);
            var removed = current with
            {
                Status = TaskResultStatus.Cancelled,
                FinishedAt = now,
                Errors = [.. current.Errors, marker],
                Version = current.Version + 1,
            };
            if (await backend.Results.TryUpdateAsync(removed, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Several backends (other aliases, other engines) may share one results table; only this alias's results are ours.</summary>
    private bool IsOurs(TaskResult result) => string.Equals(result.Backend, backend.Alias, StringComparison.Ordinal);

    private TaskNotSupportedException Unsupported() =>
        new(backend.Alias, "listing pending tasks (needs the PostgreSQL or in-memory result store; a ResultStore given in code cannot list its results)", TaskBackendCapabilities.ListPending);
}
