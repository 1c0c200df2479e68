using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Benchmarks.Harness;
using Tasks.Quartz;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Quartz.NET on PostgreSQL: the Tasks.Quartz adapter (AdoNet job store: every task a Quartz job and trigger, plus
/// its result row and the Tasks pipeline) against Quartz's own <c>IScheduler.ScheduleJob</c> of a no-op
/// <c>IJob</c> and a started scheduler (<see cref="QuartzNativeSide"/>) on the same server with the same job-store
/// settings. Each side has a schema (table prefix) of its own per run. A clustered Quartz job store runs tens to
/// hundreds of jobs per second, so the full-mode sizes are small (the table states N).
/// </summary>
public sealed class QuartzRow : BenchmarkRow
{
    /// <inheritdoc />
    public override string Name => "Quartz";

    /// <inheritdoc />
    public override string Engine => "Quartz.NET 4.7 (ADO.NET job store, PostgreSQL 15)";

    /// <inheritdoc />
    public override IReadOnlyList<BenchmarkServer> Servers => [BenchmarkServer.Postgres];

    /// <summary>
    /// A clustered Quartz job store fires one trigger per acquisition round by default (a few dozen statements and two
    /// row-lock transactions per task), so this row is small: about 100 tasks/s end to end on the shared 2-core
    /// development machine. Its end-to-end run is still 3,000 tasks (about 30 s): an idle worker notices the first
    /// enqueue only at its next poll (up to the 1 s idle wait), and in a run of a few seconds that wait alone moved the
    /// figure by up to 15 %. A full run (5 pairs) takes about 10 minutes. Latency runs at 20 tasks/s, well below the
    /// end-to-end rate, so it measures the wait for a worker's poll rather than a backlog.
    /// </summary>
    public override BenchmarkSizes Sizes(BenchmarkMode mode) => mode == BenchmarkMode.Full
        ? base.Sizes(mode) with { EnqueueSingleCount = 1_500, EnqueueBulkCount = 3_000, BulkBatchSize = 250, WarmupCount = 200, EndToEndCount = 3_000, LatencyCount = 150, LatencyRate = 20 }
        : base.Sizes(mode) with { EnqueueBulkCount = 500, BulkBatchSize = 250, WarmupCount = 50, EndToEndCount = 300, LatencyCount = 40, LatencyRate = 20 };

    /// <inheritdoc />
    public override IBenchmarkSide CreateTasksSide(SideContext context)
    {
        var schema = QuartzBenchSchema.Name(context, "tasks");
        return new TasksSide(
            context,
            "ITaskQueue + Tasks.Quartz (AdoNet)",
            tasks => tasks.AddBackend(TasksSide.Alias, (sp, alias) =>
            {
                var backend = new QuartzTaskBackend(alias, new QuartzTaskBackendOptions
                {
                    JobStore = QuartzJobStoreKind.AdoNet,
                    ConnectionString = context.Servers.RequirePostgres(),
                    TablePrefix = QuartzBenchSchema.TablePrefix(schema),
                    SchedulerName = "bench-tasks",
                    ResultsSchema = schema,
                }, sp.GetService<ILoggerFactory>());

                // Tables and the enqueue-side scheduler are made here, before any timed call, not in the first enqueue.
                backend.ConnectAsync().GetAwaiter().GetResult();
                return backend;
            }),
            reset: ct => QuartzBenchSchema.TruncateAsync(context, schema, ct),
            prepare: ct => QuartzBenchSchema.CreateAsync(context, schema, ct),
            drop: ct => BenchPostgres.DropSchemaAsync(context, schema, ct));
    }

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new QuartzNativeSide(context);
}
