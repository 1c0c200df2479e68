using Microsoft.Extensions.Logging;

namespace Tasks.Migration;

/// <summary>
/// Moves not-yet-started tasks from one backend to another, keeping id, name, arguments, queue, priority and
/// run-after. Safe to interrupt and re-run: a task is first enqueued into the target under the same id, then removed
/// from the source, and a re-run skips ids the target already holds, so nothing is lost or duplicated. Stop the
/// source's workers first, or a task may start in the source while its copy waits in the target.
/// </summary>
public sealed class TaskMigrator(ITaskBackendProvider backends, ILogger<TaskMigrator> logger)
{
    /// <summary>Tasks handed to the target per bulk enqueue.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Migrates every pending task of <paramref name="queue"/> (all queues when null) from <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <exception cref="TaskNotSupportedException">The source cannot list pending tasks, or the target keeps no results (so a re-run could not tell what it already moved).</exception>
    /// <exception cref="TaskConfigurationException">Source and target share one result store; nothing was moved.</exception>
    public async Task<TaskMigrationSummary> MigrateAsync(string from, string to, string? queue = null, bool dryRun = false, IProgress<TaskMigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var source = backends.Get(from) as IPendingTaskBackend;
        if (source is null || !source.Capabilities.HasFlag(TaskBackendCapabilities.ListPending))
        {
            throw new TaskNotSupportedException(from, "listing pending tasks (migration source)", TaskBackendCapabilities.ListPending);
        }

        var target = backends.Get(to);
        if (!target.Capabilities.HasFlag(TaskBackendCapabilities.Results))
        {
            throw new TaskNotSupportedException(to, "results (a migration target must tell which tasks it already holds)", TaskBackendCapabilities.Results);
        }

        if (from == to)
        {
            throw new InvalidTaskException($"Cannot migrate backend '{from}' onto itself.", "Backend", from);
        }

        var pending = new List<TaskEnvelope>();
        await foreach (var e in source.ListPendingAsync(queue, cancellationToken).ConfigureAwait(false))
        {
            pending.Add(e);
        }

        var perQueue = pending.GroupBy(e => e.Queue).ToDictionary(g => g.Key, g => g.Count());
        if (dryRun)
        {
            return new TaskMigrationSummary { Found = pending.Count, FoundPerQueue = perQueue, DryRun = true };
        }

        int seen = 0, moved = 0, already = 0, startedMeanwhile = 0;
        var refused = new List<KeyValuePair<string, string>>();
        foreach (var batch in pending.Chunk(BatchSize))
        {
            var toEnqueue = new List<TaskEnvelope>(batch.Length);
            var inTarget = new List<TaskEnvelope>();
            foreach (var e in batch)
            {
                if (await FindAsync(target, e.Id, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    if (found.Backend == from)
                    {
                        // The target reads the source's own record: both keep results in one store. Taking it for "already
                        // moved" would remove the task from the source and lose it, so stop before anything moves.
                        throw new TaskConfigurationException(
                            $"Cannot migrate '{from}' to '{to}': they share one result store (the target reads task {e.Id} as the source's). Give each backend its own result store (table, schema or key prefix), then migrate.");
                    }

                    inTarget.Add(e);
                    continue;
                }

                try
                {
                    TaskValidation.Validate(e, target);
                    toEnqueue.Add(e);
                }
                catch (InvalidTaskException ex)
                {
                    refused.Add(new(e.Id, ex.Message));
                }
            }

            if (toEnqueue.Count > 0)
            {
                await target.EnqueueManyAsync(toEnqueue, cancellationToken).ConfigureAwait(false);
            }

            foreach (var e in toEnqueue.Concat(inTarget))
            {
                if (await source.RemovePendingAsync(e.Id, cancellationToken).ConfigureAwait(false))
                {
                    moved++;
                    if (inTarget.Contains(e))
                    {
                        already++;
                    }
                }
                else
                {
                    startedMeanwhile++;
                    logger.LogWarning("Task {TaskId} started in '{Source}' while it was being moved; a copy is now also in '{Target}'", e.Id, from, to);
                }
            }

            seen += batch.Length;
            progress?.Report(new TaskMigrationProgress(seen, moved, pending.Count));
        }

        return new TaskMigrationSummary
        {
            Found = pending.Count,
            Moved = moved - already,
            AlreadyInTarget = already,
            StartedMeanwhile = startedMeanwhile,
            Refused = refused,
            FoundPerQueue = perQueue,
        };
    }

    /// <summary>Counts of pending tasks per queue in <paramref name="backend"/>.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountPendingAsync(string backend, CancellationToken cancellationToken = default)
    {
        var source = backends.Get(backend) as IPendingTaskBackend ?? throw new TaskNotSupportedException(backend, "listing pending tasks", TaskBackendCapabilities.ListPending);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var e in source.ListPendingAsync(null, cancellationToken).ConfigureAwait(false))
        {
            counts[e.Queue] = counts.GetValueOrDefault(e.Queue) + 1;
        }

        return counts;
    }

    private static async Task<TaskResult?> FindAsync(ITaskBackend target, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await target.GetResultAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskNotFoundException)
        {
            return null;
        }
    }
}
