using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Benchmarks.Harness;
using Tasks.MassTransit;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// MassTransit on RabbitMQ: the Tasks.MassTransit adapter (every task a persistent, publisher-confirmed message on a
/// priority queue, its result row in PostgreSQL moved Ready → Running → Succeeded by the Tasks pipeline) against
/// MassTransit's own <c>Send</c> + a no-op <c>IConsumer</c> (<see cref="MassTransitNativeSide"/>) on the same broker with
/// the same prefetch and concurrency, which keeps no result. Everything of a run is named after its run id: the Tasks
/// side's queue prefix and results schema, the native side's queue.
/// </summary>
public sealed class MassTransitRow : BenchmarkRow
{
    /// <inheritdoc />
    public override string Name => "MassTransit";

    /// <inheritdoc />
    public override string Engine => "MassTransit 8.5 (RabbitMQ 3.10; Tasks results in PostgreSQL 15)";

    /// <inheritdoc />
    public override IReadOnlyList<BenchmarkServer> Servers => [BenchmarkServer.RabbitMq, BenchmarkServer.Postgres];

    /// <summary>
    /// Through Tasks every task is a PostgreSQL insert and three result writes besides the message, so it runs hundreds of
    /// tasks per second on a 2-core machine, not thousands (the native side runs a few times more): 1,000 tasks one by one,
    /// 5,000 in bulk, N = 2,000 end to end, and latency at 50 tasks/s, well below the Tasks side's throughput even on a busy
    /// machine (measured: 110 to 260 tasks/s), so the figure is pickup time, not a growing backlog. A full run of the row
    /// (5 pairs) took 7 minutes with N = 3,000 and latency 1,000 at 100/s on a 2-core machine under a load average of 20;
    /// these sizes take about 4 to 6.
    /// </summary>
    public override BenchmarkSizes Sizes(BenchmarkMode mode) => mode == BenchmarkMode.Full
        ? base.Sizes(mode) with { EnqueueSingleCount = 1_000, EnqueueBulkCount = 5_000, WarmupCount = 300, EndToEndCount = 2_000, LatencyCount = 500, LatencyRate = 50 }
        : base.Sizes(mode) with { LatencyRate = 50 };

    /// <inheritdoc />
    public override IBenchmarkSide CreateTasksSide(SideContext context)
    {
        var prefix = MassTransitBenchEntities.TasksPrefix(context);
        var schema = MassTransitBenchEntities.TasksSchema(context);
        return new TasksSide(
            context,
            "ITaskQueue + Tasks.MassTransit (RabbitMQ; PostgreSQL results)",

            // What AddMassTransitBackend registers, plus ConnectAsync so no timed call starts the bus or makes the table.
            tasks => tasks.AddBackend(TasksSide.Alias, (sp, alias) =>
            {
                var backend = new MassTransitTaskBackend(alias, new MassTransitTaskBackendOptions
                {
                    Transport = MassTransitTransport.RabbitMq,
                    ConnectionString = context.Servers.RequireRabbitMq(),
                    QueuePrefix = prefix,
                    Results = MassTransitResultStore.PostgreSql,
                    ResultsConnectionString = context.Servers.RequirePostgres(),
                    ResultsSchema = schema,
                }, sp.GetService<ILoggerFactory>());
                if (!context.InWorkerProcess)
                {
                    // The worker process sends only retries (none here): it connects its sender as the adapter does, on first use.
                    backend.ConnectAsync([TasksSide.Queue]).GetAwaiter().GetResult();
                }

                return backend;
            }),
            reset: async ct =>
            {
                await MassTransitBenchEntities.PurgeAsync(context, MassTransitBenchEntities.TasksQueues(context), ct).ConfigureAwait(false);
                await MassTransitBenchEntities.TruncateResultsAsync(context, schema, ct).ConfigureAwait(false);
            },
            prepare: async ct =>
            {
                // Both servers answer (or the row fails with the start hint) before the backend connects.
                await (await MassTransitBenchEntities.ConnectAsync(context, ct).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                await BenchPostgres.RequireAsync(context, ct).ConfigureAwait(false);
            },
            drop: async ct =>
            {
                await MassTransitBenchEntities.DeleteAsync(context, MassTransitBenchEntities.TasksQueues(context), MassTransitBenchEntities.TasksExchanges(context), ct).ConfigureAwait(false);
                await BenchPostgres.DropSchemaAsync(context, schema, ct).ConfigureAwait(false);
            });
    }

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new MassTransitNativeSide(context);
}
