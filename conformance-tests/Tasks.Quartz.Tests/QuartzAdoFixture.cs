using System.Diagnostics;
using Npgsql;
using Tasks.Conformance;

namespace Tasks.Quartz.Tests;

/// <summary>
/// Quartz on the ADO.NET job store, PostgreSQL, clustered: every host gets its own backend instance (its own client
/// scheduler, and one clustered Quartz scheduler per worker) on this fixture's own tables and scheduler name, as
/// separate processes would. The crash test kills a real worker process.
/// </summary>
public sealed class QuartzAdoFixture : TaskBackendFixture
{
    private NpgsqlDataSource? _dataSource;

    public QuartzTestDatabase.Settings Settings { get; } = QuartzTestDatabase.NewSettings();

    /// <summary>
    /// Crash recovery: the victim is declared dead CheckinInterval + CheckinMisfireThreshold after its last check-in;
    /// a live node notices at its next check-in (one more interval) and the recovery trigger fires at the next poll;
    /// 2 s more for the rescuer host to start. With the test settings (1 s, 1 s, 1 s poll): 6 s.
    /// </summary>
    public override BackendTraits Traits { get; } = new()
    {
        CrashRecoveryTime = QuartzTestDatabase.CheckinInterval * 2 + QuartzTestDatabase.CheckinMisfireThreshold + QuartzTestDatabase.PollInterval + TimeSpan.FromSeconds(2),
    };

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialized.");

    public override void AddBackend(TasksBuilder tasks) => tasks.AddQuartzBackend(BackendAlias, Settings.Apply);

    public override ProcessStartInfo? CreateWorkerProcess(string workerId) =>
        ConformanceWorker.StartInfo(typeof(QuartzAdoFixture).Assembly, workerId, Settings.TablePrefix, Settings.SchedulerName, Settings.ResultsTable);

    public override async Task InitializeAsync()
    {
        _dataSource = await QuartzTestDatabase.ConnectAsync();
        await QuartzSchema.EnsureCreatedAsync(_dataSource, Settings.TablePrefix);
    }

    public override Task ResetAsync() => Settings.ClearAsync(DataSource);

    /// <summary>Runs <paramref name="sql"/> on this fixture's database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Rows of a Quartz table of this fixture's scheduler (of one job, with <paramref name="jobName"/>).</summary>
    public async Task<long> CountRowsAsync(string table, string? jobName = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {Settings.TablePrefix}{table} WHERE sched_name = @s{(jobName is null ? "" : " AND job_name = @j")}", conn);
        cmd.Parameters.AddWithValue("s", Settings.SchedulerName);
        if (jobName is not null)
        {
            cmd.Parameters.AddWithValue("j", jobName);
        }

        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await Settings.DropAsync(_dataSource);
            await _dataSource.DisposeAsync();
        }
    }
}
