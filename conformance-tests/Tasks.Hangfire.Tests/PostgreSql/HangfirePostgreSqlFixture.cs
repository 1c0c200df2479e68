using System.Diagnostics;
using Tasks.Conformance;

namespace Tasks.Hangfire.Tests.PostgreSql;

/// <summary>
/// Hangfire + Hangfire.PostgreSql on the test server, in a schema of its own (tasks_test_xxxxxxxx). Every host builds
/// its own backend from the connection string, as separate applications would.
/// Test settings: QueuePollInterval 100 ms, SchedulePollingInterval 200 ms, InvisibilityTimeout 6 s (sliding).
/// </summary>
public sealed class HangfirePostgreSqlFixture : TaskBackendFixture
{
    public static readonly TimeSpan TestInvisibilityTimeout = TimeSpan.FromSeconds(6);

    public string ConnectionString { get; private set; } = "";

    public string Schema { get; } = TestServers.NewSchema();

    public override BackendTraits Traits { get; } = new()
    {
        ExactlyOnce = true,

        // Scheduled times are rounded up to whole seconds (Hangfire keeps second precision) plus the 200 ms schedule poll.
        RunAfterTolerance = TimeSpan.FromSeconds(3),

        // Invisibility timeout (6 s, after the last 1.2 s heartbeat) plus the 100 ms queue poll, with slack for a loaded machine.
        CrashRecoveryTime = TimeSpan.FromSeconds(15),
        LoadTimeout = TimeSpan.FromSeconds(150),
    };

    public static void Register(TasksBuilder tasks, string connectionString, string schema) =>
        tasks.AddHangfireBackend(BackendAlias, o => Configure(o, connectionString, schema));

    public static void Configure(HangfireTaskBackendOptions o, string connectionString, string schema)
    {
        o.Storage = HangfireStorageKind.PostgreSql;
        o.ConnectionString = connectionString;
        o.Schema = schema;
        o.QueuePollInterval = TimeSpan.FromMilliseconds(100);
        o.SchedulePollingInterval = TimeSpan.FromMilliseconds(200);
        o.InvisibilityTimeout = TestInvisibilityTimeout;
    }

    public override void AddBackend(TasksBuilder tasks) => Register(tasks, ConnectionString, Schema);

    public override ProcessStartInfo? CreateWorkerProcess(string workerId) =>
        ConformanceWorker.StartInfo(typeof(HangfirePostgreSqlFixture).Assembly, workerId, ConnectionString, Schema);

    public override async Task InitializeAsync()
    {
        ConnectionString = await TestServers.RequirePostgresAsync();

        // Installs Hangfire's tables and the result table once, before hosts race to do it.
        await using var backend = new HangfireTaskBackend("setup", Options());
        _ = backend.JobStorage;
        await backend.GetResultAsync(Guid.NewGuid().ToString()).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public override Task ResetAsync() => TruncateAsync(ConnectionString, Schema);

    public override Task DisposeAsync() =>
        string.IsNullOrEmpty(ConnectionString) ? Task.CompletedTask : TestServers.ExecuteAsync(ConnectionString, $"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");

    public HangfireTaskBackendOptions Options()
    {
        var o = new HangfireTaskBackendOptions();
        Configure(o, ConnectionString, Schema);
        return o;
    }

    /// <summary>Empties every table of the schema except Hangfire's schema-version table.</summary>
    public static Task TruncateAsync(string connectionString, string schema) => TestServers.ExecuteAsync(connectionString, $"""
        DO $$ DECLARE t text; BEGIN
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' AND tablename <> 'schema' LOOP
            EXECUTE format('TRUNCATE TABLE %I.%I RESTART IDENTITY CASCADE', '{schema}', t);
          END LOOP;
        END $$;
        """);
}
