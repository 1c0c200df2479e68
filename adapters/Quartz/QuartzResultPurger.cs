using Npgsql;

namespace Tasks.Quartz;

/// <summary>
/// Purges expired results together with their Quartz jobs (AdoNet, built-in results table). Task jobs are durable, so
/// Quartz's completion of a firing deletes only the trigger: deleting a non-durable job in every completion made each
/// firing markedly more expensive (measured: a durable job's firing costs about a third less CPU, database included).
/// A finished or cancelled task therefore keeps its job, without triggers, as long as its result row exists, which is
/// also what makes Quartz's own key refuse a task id still in use (enqueue needs no check of its own). Every worker
/// purges at its start and then every few minutes: one statement per batch deletes the finished rows older than
/// <see cref="QuartzTaskBackendOptions.ResultsRetention"/> and the jobs of those tasks (only a job without a trigger or
/// a fired trigger), so a row and its job go together. The results store's own purge is off for this table.
/// </summary>
internal sealed class QuartzResultPurger : IAsyncDisposable
{
    /// <summary>Results (and jobs) deleted per statement.</summary>
    private const int BatchSize = 1_000;

    /// <summary>How often a worker purges (as the results store itself would).</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly QuartzTaskBackend _backend;
    private readonly string _sql;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public QuartzResultPurger(QuartzTaskBackend backend)
    {
        _backend = backend;
        var p = backend.Options.TablePrefix;
        var results = backend.SqlResultsTable;
        _sql = $"""
            WITH r AS (
                DELETE FROM {results} WHERE id IN (SELECT id FROM {results} WHERE finished_at < @cutoff LIMIT {BatchSize}) RETURNING id),
            gone AS (
                DELETE FROM {p}job_details j USING r
                WHERE j.sched_name = @sched AND j.job_group = @group AND j.job_name = r.id::text
                AND NOT EXISTS (SELECT 1 FROM {p}triggers t WHERE t.sched_name = j.sched_name AND t.job_name = j.job_name AND t.job_group = j.job_group)
                AND NOT EXISTS (SELECT 1 FROM {p}fired_triggers f WHERE f.sched_name = j.sched_name AND f.job_name = j.job_name AND f.job_group = j.job_group))
            SELECT count(*) FROM r
            """;
    }

    /// <summary>Starts purging, at once and then every few minutes.</summary>
    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Stops the loop (a purge in progress is cancelled; the next worker's start purges again).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_loop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _loop = null;
        }

        _stop.Dispose();
    }

    /// <summary>One purge: every expired result of the table and its task's job, a batch at a time. Returns how many results.</summary>
    internal async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        await _backend.EnsureResultsTableAsync(cancellationToken).ConfigureAwait(false);
        var cutoff = _backend.Clock.GetUtcNow() - _backend.Options.ResultsRetention;
        var total = 0L;
        while (true)
        {
            await using var cmd = _backend.DataSource!.CreateCommand(_sql);
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", cutoff));
            cmd.Parameters.Add(new NpgsqlParameter<string>("sched", _backend.SchedulerName));
            cmd.Parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
            var deleted = (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            total += deleted;
            if (deleted < BatchSize)
            {
                return total;
            }
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // The database is away: the next purge tries again.
                QuartzLog.PurgeFailed(_backend.Logger, ex, _backend.Alias);
            }
            catch (Exception)
            {
                return; // stopping
            }

            try
            {
                await Task.Delay(Interval, _backend.Clock, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
