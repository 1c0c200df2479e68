using System.Diagnostics;
using Tasks.Conformance;
using Tasks.PostgreSql;

namespace Tasks.MassTransit.Tests;

/// <summary>
/// The MassTransit backend on the real RabbitMQ, with results in PostgreSQL. Every host builds its own backend (its own buses),
/// as separate processes would; the fixture's queue prefix and results schema keep it apart from every other test.
/// </summary>
public sealed class MassTransitRabbitMqFixture : TaskBackendFixture
{
    public string Prefix { get; } = $"tct-mt-{Guid.NewGuid():N}"[..16];

    public string Schema { get; } = $"mt_{Guid.NewGuid():N}"[..15];

    public override BackendTraits Traits { get; } = new()
    {
        // Delays are rounded up to 100 ms units and hop through dead-letter queues; measured lateness is well under this.
        RunAfterTolerance = TimeSpan.FromSeconds(1),
        // RabbitMQ requeues a dead worker's unacknowledged message when its connection drops (at once on a kill).
        CrashRecoveryTime = TimeSpan.FromSeconds(10),
    };

    /// <summary>The registration shared by the fixture and its worker process.</summary>
    public static void Register(TasksBuilder tasks, string prefix, string schema) =>
        tasks.AddMassTransitBackend(BackendAlias, o =>
        {
            o.Transport = MassTransitTransport.RabbitMq;
            o.ConnectionString = TestServers.RabbitMq;
            o.Results = MassTransitResultStore.PostgreSql;
            o.ResultsConnectionString = TestServers.Postgres;
            o.ResultsSchema = schema;
            o.QueuePrefix = prefix;
        });

    public override void AddBackend(TasksBuilder tasks) => Register(tasks, Prefix, Schema);

    public override ProcessStartInfo? CreateWorkerProcess(string workerId) =>
        ConformanceWorker.StartInfo(typeof(MassTransitRabbitMqFixture).Assembly, workerId, "rabbitmq", Prefix, Schema);

    public override async Task InitializeAsync()
    {
        await (await TestServers.ConnectRabbitMqAsync()).DisposeAsync();
        await TestServers.CheckPostgresAsync();
    }

    public override async Task ResetAsync()
    {
        await RabbitMqTestEntities.PurgeAsync(Prefix);
        await using var results = new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions { ConnectionString = TestServers.Postgres, Schema = Schema });
        await results.ClearAsync();
    }

    public override async Task DisposeAsync()
    {
        await RabbitMqTestEntities.DeleteAsync(Prefix);
        await TestServers.DropSchemaAsync(Schema);
    }
}
