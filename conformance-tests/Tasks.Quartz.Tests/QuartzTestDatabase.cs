using Npgsql;

namespace Tasks.Quartz.Tests;

/// <summary>The test PostgreSQL server, and per-fixture names so parallel rows never share tables or scheduler names.</summary>
public static class QuartzTestDatabase
{
    public const string EnvironmentVariable = "TASKS_TEST_POSTGRES";

    /// <summary>Cluster check-in settings of the tests: small, so the killed-worker case recovers in seconds.</summary>
    public static readonly TimeSpan CheckinInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan CheckinMisfireThreshold = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"{EnvironmentVariable} is not set: run `scripts/servers.sh start` and `eval \"$(scripts/servers.sh env)\"`, or run the tests with `scripts/test.sh`.");

    /// <summary>Fails with the message the brief asks for when the server is not there.</summary>
    public static async Task<NpgsqlDataSource> ConnectAsync()
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync();
        }
        catch (Exception ex)
        {
            await dataSource.DisposeAsync();
            throw new InvalidOperationException($"PostgreSQL at {EnvironmentVariable} cannot be reached ({ex.Message}): run `scripts/servers.sh start` or `scripts/test.sh`.", ex);
        }

        return dataSource;
    }

    public static Settings NewSettings()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        return new Settings($"t{id}_qrtz_", $"tasks-test-{id}", $"results_{id}");
    }

    /// <summary>One fixture's tables and names.</summary>
    public sealed record Settings(string TablePrefix, string SchedulerName, string ResultsTable)
    {
        public const string ResultsSchema = "tasks_quartz_tests";

        public void Apply(QuartzTaskBackendOptions o)
        {
            o.JobStore = QuartzJobStoreKind.AdoNet;
            o.ConnectionString = ConnectionString;
            o.TablePrefix = TablePrefix;
            o.SchedulerName = SchedulerName;
            o.ResultsSchema = ResultsSchema;
            o.ResultsTable = ResultsTable;
            o.Clustered = true;
            o.CheckinInterval = CheckinInterval;
            o.CheckinMisfireThreshold = CheckinMisfireThreshold;
            o.PollInterval = PollInterval;
            o.MisfireThreshold = TimeSpan.FromSeconds(1);
        }

        /// <summary>Deletes every row of this fixture (Quartz rows of its scheduler name, and its results).</summary>
        public async Task ClearAsync(NpgsqlDataSource dataSource)
        {
            await using var conn = await dataSource.OpenConnectionAsync();
            foreach (var table in new[] { "fired_triggers", "simple_triggers", "simprop_triggers", "cron_triggers", "blob_triggers", "triggers", "job_details", "scheduler_state", "paused_trigger_grps", "paused_job_grps" })
            {
                await using var cmd = new NpgsqlCommand($"DELETE FROM {TablePrefix}{table} WHERE sched_name = @s", conn);
                cmd.Parameters.AddWithValue("s", SchedulerName);
                await cmd.ExecuteNonQueryAsync();
            }

            await using var results = new NpgsqlCommand($"DELETE FROM {ResultsSchema}.{ResultsTable}", conn);
            try
            {
                await results.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable || ex.SqlState == PostgresErrorCodes.InvalidSchemaName)
            {
                // Created at first enqueue.
            }
        }

        /// <summary>Drops this fixture's tables.</summary>
        public async Task DropAsync(NpgsqlDataSource dataSource)
        {
            await using var conn = await dataSource.OpenConnectionAsync();
            await using var find = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE @p", conn);
            find.Parameters.AddWithValue("p", TablePrefix.Replace("_", "\\_", StringComparison.Ordinal) + "%");
            var tables = new List<string>();
            await using (var r = await find.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                {
                    tables.Add(r.GetString(0));
                }
            }

            foreach (var t in tables.Append($"{ResultsSchema}.{ResultsTable}"))
            {
                await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {t} CASCADE", conn);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }
}
