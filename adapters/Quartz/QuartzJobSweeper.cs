using Npgsql;

namespace Tasks.Quartz;

/// <summary>
/// Deletes the Quartz jobs of tasks whose result has expired (AdoNet, built-in results table). Task jobs are durable, so
/// Quartz's completion of a firing deletes only the trigger: deleting a non-durable job in every completion made each
/// firing markedly more expensive (measured: a durable job's firing costs about a third less CPU, database included).
/// A finished task therefore keeps its job, without triggers, as long as its result row exists, which is also what
/// makes Quartz's own key refuse a task id still in use (enqueue needs no check of its own). When the results store has
/// purged a row, this sweeper deletes the job, at a worker's start and then every few minutes, a batch at a time, and
/// only while the job has no trigger and no fired trigger and its task no row, in the same statement.
/// </summary>
internal sealed class QuartzJobSweeper : IAsyncDisposable
{
    /// <summary>Jobs deleted per statement.</summary>
    private const int BatchSize = 1_000;

    /// <summary>How often a worker sweeps (rows expire by the day; the results store purges every few minutes).</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly QuartzTaskBackend _backend;
    private readonly string _sql;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public QuartzJobSweeper(QuartzTaskBackend backend)
    {
        _backend = backend;
        var p = backend.Options.TablePrefix;
        var expired = $"""
            j.sched_name = @sched AND j.job_group = @group AND j.is_durable
            AND NOT EXISTS (SELECT 1 FROM {p}triggers t WHERE t.sched_name = j.sched_name AND t.job_name = j.job_name AND t.job_group = j.job_group)
            AND NOT EXISTS (SELECT 1 FROM {p}fired_triggers f WHERE f.sched_name = j.sched_name AND f.job_name = j.job_name AND f.job_group = j.job_group)
            AND NOT EXISTS (SELECT 1 FROM {backend.SqlResultsTable} r WHERE r.id = j.job_name::uuid)
            """;

        // The conditions again on the deleted rows: a job may gain a trigger (a retry, a recovery) after the batch was chosen.
        _sql = $"""
            DELETE FROM {p}job_details j
            WHERE j.job_name IN (SELECT j.job_name FROM {p}job_details j WHERE {expired} LIMIT {BatchSize})
            AND {expired}
            """;
    }

    /// <summary>Starts sweeping, at once and then every few minutes.</summary>
    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Stops the loop (a sweep in progress is cancelled; the next worker's start sweeps again).</summary>
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

    /// <summary>One sweep: deletes every expired task job of the scheduler, a batch at a time. Returns how many.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var cmd = _backend.DataSource!.CreateCommand(_sql);
            cmd.Parameters.Add(new NpgsqlParameter<string>("sched", _backend.SchedulerName));
            cmd.Parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
            var deleted = await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
                await SweepAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // The database is away, or a job gained a trigger as it was deleted: the next sweep tries again.
                QuartzLog.SweepFailed(_backend.Logger, ex, _backend.Alias);
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
