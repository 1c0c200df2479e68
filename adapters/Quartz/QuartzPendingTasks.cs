using System.Runtime.CompilerServices;
using Npgsql;
using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// The pending tasks of a Quartz backend: listing, removal, and cancel with the built-in results table. A task is
/// pending while a trigger of its Quartz job is still to fire (ready, deferred, or a retry waiting for its backoff) and
/// its result is Ready. The result holds everything an envelope needs, with a retry's run-after and attempt already
/// updated (the job data holds the first delivery's envelope). With the built-in results table (AdoNet), listing is one
/// query over the Quartz triggers joined with the results table, streamed in run order, and removal and cancel are one
/// transaction under Quartz's trigger lock; otherwise the job keys come from Quartz, the results are read in parallel
/// batches, and the result's compare-and-set Ready → Running decides between a worker and a removal.
/// </summary>
internal sealed class QuartzPendingTasks(QuartzTaskBackend backend)
{
    /// <summary>Results read at once when they cannot be joined in SQL.</summary>
    private const int ReadBatch = 64;

    public async IAsyncEnumerable<TaskEnvelope> ListAsync(string? queue, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Connects and creates the Quartz tables if needed, so a backend that never enqueued lists nothing rather than failing.
        var scheduler = await backend.GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);
        if (backend.SqlResultsTable is { } table)
        {
            await foreach (var e in ListJoinedAsync(table, queue, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            yield break;
        }

        IReadOnlyList<string> ids = backend.Options.JobStore == QuartzJobStoreKind.Ram
            ? await JobIdsInRunOrderAsync(scheduler, cancellationToken).ConfigureAwait(false)
            : await JobIdsInRunOrderAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in ids.Chunk(ReadBatch))
        {
            var results = await Task.WhenAll(batch.Select(id => backend.Results.FindAsync(id, cancellationToken))).ConfigureAwait(false);
            foreach (var r in results)
            {
                if (r is { Status: TaskResultStatus.Ready } && (queue is null || r.Queue == queue))
                {
                    yield return TaskEnvelope.ForNextAttempt(r);
                }
            }
        }
    }

    /// <summary>
    /// Removes a pending task. With the built-in results table see <see cref="SettleUnstartedAsync"/>. Otherwise it
    /// compare-and-sets the result Ready → Cancelled, which alone guarantees the task never runs (a firing that is already
    /// on its way finds it Cancelled and skips it); then deletes the Quartz job and, after it, the result. A firing that
    /// finds neither result nor job skips the task too (see <see cref="FiringResults"/>).
    /// </summary>
    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out _))
        {
            return false;
        }

        if (backend.SqlResultsTable is not null)
        {
            return await RemoveInOneTransactionAsync(id, cancellationToken).ConfigureAwait(false);
        }

        var scheduler = await backend.GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);

        var results = backend.Results;
        var current = await results.FindAsync(id, cancellationToken).ConfigureAwait(false);
        for (var tries = 0; ; tries++)
        {
            if (current is not { Status: TaskResultStatus.Ready })
            {
                return false;
            }

            var removed = current with { Status = TaskResultStatus.Cancelled, FinishedAt = backend.Clock.GetUtcNow(), Version = current.Version + 1 };
            if (await results.TryUpdateAsync(removed, current.Version, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            if (tries == 2)
            {
                return false;
            }

            // Another writer won; if the task is still Ready (an attempt handed back at shutdown, a retry), try again.
            current = await results.FindAsync(id, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await backend.RunQuartzAsync("removing a pending task", () => scheduler.DeleteJob(QuartzTaskMapping.JobKey(id), CancellationToken.None).AsTask()).ConfigureAwait(false);
            await results.DeleteAsync([id], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // It is Cancelled, so it will never run; a job left behind fires once and is skipped.
            QuartzLog.RemoveCleanupFailed(backend.Logger, ex, backend.Alias, id);
        }

        return true;
    }

    /// <summary>
    /// Cancel with the built-in results table: the compare-and-set of the result to <paramref name="cancelled"/> (inserting
    /// its row if the job stood for it) and the deletion of the Quartz job commit together, and only while Quartz is not
    /// executing the task (see <see cref="SettleUnstartedAsync"/>).
    /// </summary>
    public Task<bool> CancelAsync(TaskResult cancelled, long expectedVersion, CancellationToken cancellationToken) =>
        SettleUnstartedAsync(cancelled.Id, "cancel", keepJob: true, async (conn, tx, table, unscheduled) =>
        {
            // Without a trigger a task has only its row to cancel (never a record to insert).
            await using var write = new NpgsqlCommand(unscheduled ? QuartzResultRows.UpsertSql(table) : QuartzResultRows.UpdateOneSql(table), conn, tx);
            if (unscheduled)
            {
                QuartzResultRows.AddUpsert(write.Parameters, cancelled, expectedVersion);
            }
            else
            {
                QuartzResultRows.AddUpdate(write.Parameters, cancelled, expectedVersion);
            }

            return await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    /// <summary>
    /// Removal with the built-in results table: the Quartz job and the task's Ready row (if it has one) are deleted in one
    /// transaction (see <see cref="SettleUnstartedAsync"/>); a task whose row says it started or finished is not removed.
    /// </summary>
    private Task<bool> RemoveInOneTransactionAsync(string id, CancellationToken cancellationToken) =>
        SettleUnstartedAsync(id, "removing a pending task", keepJob: false, async (conn, tx, table, jobDeleted) =>
        {
            await using var delete = new NpgsqlCommand(
                $"""
                WITH d AS (DELETE FROM {table} WHERE id = @id AND status = 0 RETURNING 1)
                SELECT (SELECT count(*) FROM d), EXISTS (SELECT 1 FROM {table} WHERE id = @id AND status <> 0)
                """,
                conn,
                tx);
            delete.Parameters.Add(new NpgsqlParameter<Guid>("id", Guid.Parse(id)));
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var deletedRow = reader.GetInt64(0) == 1;
            var notReady = reader.GetBoolean(1);
            return !notReady && (deletedRow || jobDeleted);
        }, cancellationToken);

    /// <summary>
    /// One transaction that settles a task that has not started: takes Quartz's trigger lock (the row Quartz itself locks
    /// to acquire and fire triggers, so no firing of the task can be recorded meanwhile) and, unless Quartz records a
    /// firing of the task as executing, deletes the task's Quartz job (with <paramref name="keepJob"/>, only its triggers:
    /// a cancelled task keeps its durable job, which holds its id, until its result expires) and runs
    /// <paramref name="settle"/> on the result row (told whether a trigger or job was deleted). It commits only if
    /// <paramref name="settle"/> says the task is settled; otherwise everything rolls back, job included.
    /// The executing check is what refuses a started task whose result still reads Ready
    /// (<see cref="QuartzTaskBackendOptions.RunningStatusDelay"/>); the result's own status refuses the rest.
    /// </summary>
    private async Task<bool> SettleUnstartedAsync(string id, string what, bool keepJob, Func<NpgsqlConnection, NpgsqlTransaction, string, bool, Task<bool>> settle, CancellationToken cancellationToken)
    {
        var table = backend.SqlResultsTable!;
        var prefix = backend.Options.TablePrefix;
        var scheduler = await backend.GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);
        var settled = false;
        await backend.RunQuartzAsync(what, async () =>
        {
            await using var conn = await backend.DataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // First, as Quartz does: taking it after Quartz's row deletions could deadlock with a firing.
            await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM {prefix}locks WHERE sched_name = @sched AND lock_name = 'TRIGGER_ACCESS' FOR UPDATE", conn, tx))
            {
                lockRow.Parameters.Add(new NpgsqlParameter<string>("sched", backend.SchedulerName));
                await lockRow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var executing = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {prefix}fired_triggers WHERE sched_name = @sched AND job_name = @id AND job_group = @group AND state = 'EXECUTING')", conn, tx))
            {
                executing.Parameters.Add(new NpgsqlParameter<string>("sched", backend.SchedulerName));
                executing.Parameters.Add(new NpgsqlParameter<string>("id", id));
                executing.Parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
                if ((bool)(await executing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    return; // started: the transaction rolls back on dispose
                }
            }

            bool deleted;
            using (scheduler.EnlistTransaction(tx))
            {
                var key = QuartzTaskMapping.JobKey(id);
                if (keepJob)
                {
                    var triggers = await scheduler.GetTriggersOfJob(key, cancellationToken).ConfigureAwait(false);
                    deleted = triggers.Count > 0 && (await scheduler.UnscheduleJobs([.. triggers.Select(t => t.Key)], cancellationToken).ConfigureAwait(false)).Count > 0;
                }
                else
                {
                    deleted = await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
                }
            }

            if (await settle(conn, tx, table, deleted).ConfigureAwait(false))
            {
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                settled = true;
            }
        }, cancellationToken).ConfigureAwait(false);
        return settled;
    }

    /// <summary>
    /// One query: the jobs of this scheduler by their earliest trigger still to fire (the run order), with their results:
    /// the row if it is Ready, else the job data when the task has no row yet (the job stands for its Ready result).
    /// </summary>
    private async IAsyncEnumerable<TaskEnvelope> ListJoinedAsync(string table, string? queue, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string what = "listing pending tasks";

        await backend.EnsureResultsTableAsync(cancellationToken).ConfigureAwait(false);
        var prefix = backend.Options.TablePrefix;
        var sql = $"""
            SELECT r.result, CASE WHEN r.id IS NULL THEN j.job_data END
            FROM (SELECT job_name, min(next_fire_time) AS fire
                  FROM {prefix}triggers
                  WHERE sched_name = @sched AND job_group = @group AND trigger_state <> 'COMPLETE'
                  GROUP BY job_name) f
            JOIN {prefix}job_details j ON j.sched_name = @sched AND j.job_group = @group AND j.job_name = f.job_name
            LEFT JOIN {table} r ON r.id = f.job_name::uuid
            WHERE r.id IS NULL OR r.status = 0
            ORDER BY f.fire, f.job_name::uuid
            """;
        NpgsqlConnection? conn = null;
        NpgsqlTransaction? tx = null;
        NpgsqlCommand? cmd = null;
        NpgsqlDataReader? reader = null;
        try
        {
            try
            {
                conn = await backend.DataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

                // Right after a bulk enqueue (a migration's usual start) Quartz's tables have no statistics yet, and the
                // planner, guessing one row per scheduler, joins the jobs by a nested loop over all of them: quadratic,
                // 35 s for 10,000 tasks, past Npgsql's command timeout. Hash joins read each table once whatever the guess.
                tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var plan = new NpgsqlCommand("SET LOCAL enable_nestloop = off", conn, tx))
                {
                    await plan.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                cmd = new NpgsqlCommand(sql, conn, tx);
                cmd.Parameters.Add(new NpgsqlParameter<string>("sched", backend.SchedulerName));
                cmd.Parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
                reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (backend.Translate(what, ex, cancellationToken) is { } typed)
            {
                throw typed;
            }

            while (true)
            {
                TaskResult result;
                try
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    result = reader.IsDBNull(0)
                        ? QuartzJobResults.FromJobData(reader.GetFieldValue<byte[]>(1), backend.Alias)
                        : TaskJson.DeserializeResult(reader.GetString(0));
                }
                catch (Exception ex) when (backend.Translate(what, ex, cancellationToken) is { } typed)
                {
                    throw typed;
                }

                if (queue is null || result.Queue == queue)
                {
                    yield return TaskEnvelope.ForNextAttempt(result);
                }
            }
        }
        finally
        {
            if (reader is not null)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }

            if (cmd is not null)
            {
                await cmd.DisposeAsync().ConfigureAwait(false);
            }

            if (tx is not null)
            {
                // Read only: ending it by rollback is all there is to do.
                await tx.DisposeAsync().ConfigureAwait(false);
            }

            if (conn is not null)
            {
                await conn.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>AdoNet with a results store of the application's: the task job ids by earliest trigger, in one query.</summary>
    private async Task<IReadOnlyList<string>> JobIdsInRunOrderAsync(CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await backend.RunQuartzAsync("listing pending tasks", async () =>
        {
            await using var cmd = backend.DataSource!.CreateCommand($"""
                SELECT job_name FROM {backend.Options.TablePrefix}triggers
                WHERE sched_name = @sched AND job_group = @group
                GROUP BY job_name
                ORDER BY min(next_fire_time), job_name
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string>("sched", backend.SchedulerName));
            cmd.Parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetString(0));
            }
        }, cancellationToken).ConfigureAwait(false);
        return ids;
    }

    /// <summary>Ram: the task job ids by earliest trigger, from the scheduler (all in memory).</summary>
    private static async Task<IReadOnlyList<string>> JobIdsInRunOrderAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var keys = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(QuartzTaskMapping.Group), cancellationToken).ConfigureAwait(false);
        var jobs = new List<(string Id, DateTimeOffset Fire)>(keys.Count);
        foreach (var key in keys)
        {
            var triggers = await scheduler.GetTriggersOfJob(key, cancellationToken).ConfigureAwait(false);
            var fire = triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            jobs.Add((key.Name, fire));
        }

        return jobs.OrderBy(j => j.Fire).ThenBy(j => j.Id, StringComparer.Ordinal).Select(j => j.Id).ToList();
    }
}
