using Npgsql;

namespace Tasks.Quartz;

/// <summary>
/// Removes the Quartz jobs of finished tasks (AdoNet). Task jobs are durable, so Quartz's completion of a firing deletes
/// only the trigger: deleting a non-durable job in the completion made every firing markedly more expensive (measured:
/// the durable job's firing costs about a third less CPU, database included). A job left without triggers belongs to a
/// task that is settled (its result row says so), and this sweeper deletes it in bulk: the ids of the firings its worker
/// ran, once a second in one statement; and, at start and then
/// every few minutes, any task job of the scheduler left without triggers (a worker that died before its sweep). A job
/// is deleted only while no trigger and no fired trigger of it exists, in the same statement, so a task that is waiting
/// for a retry, or running, keeps its job.
/// </summary>
internal sealed class QuartzJobSweeper : IAsyncDisposable
{
    /// <summary>How many sweeps an id is kept for while its job still has a trigger (its firing's completion may not be committed yet).</summary>
    private const int MaxTries = 5;

    /// <summary>Jobs deleted per statement.</summary>
    private const int BatchSize = 1_000;

    /// <summary>How often the ids of the firings run are swept.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>How often the whole scheduler is swept for jobs no worker is going to sweep.</summary>
    private static readonly TimeSpan LeftoverInterval = TimeSpan.FromMinutes(5);

    private readonly QuartzTaskBackend _backend;
    private readonly string _targetedSql;
    private readonly string _leftoverSql;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private List<string> _ran = [];
    private List<(string Id, int Tries)> _held = [];
    private Task? _loop;

    public QuartzJobSweeper(QuartzTaskBackend backend)
    {
        _backend = backend;
        var p = backend.Options.TablePrefix;
        const string Unheld = """
            AND NOT EXISTS (SELECT 1 FROM {0}triggers t WHERE t.sched_name = j.sched_name AND t.job_name = j.job_name AND t.job_group = j.job_group)
            AND NOT EXISTS (SELECT 1 FROM {0}fired_triggers f WHERE f.sched_name = j.sched_name AND f.job_name = j.job_name AND f.job_group = j.job_group)
            """;
        var unheld = string.Format(System.Globalization.CultureInfo.InvariantCulture, Unheld, p);
        _targetedSql = $"""
            DELETE FROM {p}job_details j
            WHERE j.sched_name = @sched AND j.job_group = @group AND j.job_name = ANY(@ids) AND j.is_durable
            {unheld}
            RETURNING j.job_name
            """;
        _leftoverSql = $"""
            DELETE FROM {p}job_details j
            WHERE j.sched_name = @sched AND j.job_group = @group AND j.is_durable
            AND j.job_name IN (SELECT j.job_name FROM {p}job_details j WHERE j.sched_name = @sched AND j.job_group = @group AND j.is_durable {unheld} LIMIT {BatchSize})
            {unheld}
            """;
    }

    /// <summary>Starts sweeping; the first pass removes what earlier workers left behind.</summary>
    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Records that this worker ran a firing of <paramref name="taskId"/>'s job (swept once Quartz has completed it).</summary>
    public void Ran(string taskId)
    {
        lock (_gate)
        {
            _ran.Add(taskId);
        }
    }

    /// <summary>Stops the loop, then sweeps what this worker ran one last time (its scheduler has completed every firing by then).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_loop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _loop = null;
        await SweepRanAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var nextLeftover = DateTimeOffset.MinValue;
        while (!stop.IsCancellationRequested)
        {
            if (_backend.Clock.GetUtcNow() >= nextLeftover)
            {
                await SweepLeftoversAsync(stop).ConfigureAwait(false);
                nextLeftover = _backend.Clock.GetUtcNow() + LeftoverInterval;
            }

            try
            {
                await Task.Delay(Interval, _backend.Clock, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await SweepRanAsync(stop).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the jobs of the firings ran since the last sweep (and of those still held then); never throws.</summary>
    private async Task SweepRanAsync(CancellationToken cancellationToken)
    {
        List<(string Id, int Tries)> batch;
        lock (_gate)
        {
            if (_ran.Count == 0 && _held.Count == 0)
            {
                return;
            }

            batch = _held;
            batch.AddRange(_ran.Select(id => (id, 0)));
            _ran = [];
            _held = [];
        }

        var held = new List<(string Id, int Tries)>();
        try
        {
            var deleted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var chunk in batch.DistinctBy(b => b.Id).Chunk(BatchSize))
            {
                await using var cmd = _backend.DataSource!.CreateCommand(_targetedSql);
                AddScheduler(cmd.Parameters);
                cmd.Parameters.Add(new NpgsqlParameter<string[]>("ids", chunk.Select(c => c.Id).ToArray()));
                await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    deleted.Add(reader.GetString(0));
                }
            }

            // Still held: its completion is not committed yet, or another trigger (a retry) holds it; that retry's
            // firing records the id again. A job gone for another reason (cancelled, removed) is tried a few times too.
            held.AddRange(batch.Where(b => !deleted.Contains(b.Id) && b.Tries + 1 < MaxTries).Select(b => (b.Id, b.Tries + 1)).DistinctBy(b => b.Id));
        }
        catch (Exception ex)
        {
            // The database is away, a concurrent change refused the delete, or the worker is stopping: keep them all for the next sweep.
            held.AddRange(batch);
            if (ex is not OperationCanceledException)
            {
                QuartzLog.SweepFailed(_backend.Logger, ex, _backend.Alias, batch.Count);
            }
        }

        lock (_gate)
        {
            _held.AddRange(held);
        }
    }

    /// <summary>Deletes every task job of the scheduler left without triggers, a batch at a time; never throws.</summary>
    private async Task SweepLeftoversAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await using var cmd = _backend.DataSource!.CreateCommand(_leftoverSql);
                AddScheduler(cmd.Parameters);
                if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) < BatchSize)
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            if (ex is not OperationCanceledException)
            {
                QuartzLog.SweepFailed(_backend.Logger, ex, _backend.Alias, 0);
            }
        }
    }

    private void AddScheduler(NpgsqlParameterCollection parameters)
    {
        parameters.Add(new NpgsqlParameter<string>("sched", _backend.SchedulerName));
        parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
    }
}
