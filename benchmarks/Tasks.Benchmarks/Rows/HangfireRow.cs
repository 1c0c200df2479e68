using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Benchmarks.Harness;
using Tasks.Hangfire;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Hangfire on PostgreSQL: the Tasks.Hangfire adapter (every task a Hangfire job whose state and return value are its result, priority
/// bands and the Tasks pipeline) against Hangfire's own <c>BackgroundJobClient</c> + <c>BackgroundJobServer</c>
/// (<see cref="HangfireNativeSide"/>) on the same server with the same storage settings. Each side has a schema of
/// its own per run. Hangfire on PostgreSQL runs hundreds of jobs per second, not tens of thousands, so the full-mode
/// sizes are smaller (the table states N).
/// </summary>
/// <param name="captureCulture">
/// The Tasks side's <see cref="HangfireTaskBackendOptions.CaptureCulture"/>. Off (row <c>Hangfire</c>) is the adapter's
/// default: its jobs carry no culture, while Hangfire's own client stores two culture parameters per job. On (row
/// <c>HangfireCulture</c>) both sides' jobs store the same parameters, so the ratio is the cost of the Tasks layer alone.
/// </param>
public sealed class HangfireRow(bool captureCulture = false) : BenchmarkRow
{
    /// <inheritdoc />
    public override string Name => captureCulture ? "HangfireCulture" : "Hangfire";

    /// <inheritdoc />
    /// <remarks>No comma: the CI test reads results.csv by splitting lines at commas.</remarks>
    public override string Engine => "Hangfire 1.8 + Hangfire.PostgreSql 1.21 (PostgreSQL 15)";

    /// <inheritdoc />
    public override IReadOnlyList<BenchmarkServer> Servers => [BenchmarkServer.Postgres];

    /// <summary>
    /// Hangfire on PostgreSQL does hundreds of jobs per second end to end (about 110 on the shared 2-core development
    /// machine), so: 2,000 tasks for each enqueue figure, N = 4,000 end to end (about 35 s, so an idle worker's wait
    /// for its next 1 s poll is a small part of it), and latency at 50 tasks/s (well below its throughput, so the figure
    /// is pickup time, not a growing backlog). A full run of the row (5 pairs) takes about 12 minutes.
    /// </summary>
    public override BenchmarkSizes Sizes(BenchmarkMode mode) => mode == BenchmarkMode.Full
        ? base.Sizes(mode) with { EnqueueSingleCount = 2_000, EnqueueBulkCount = 2_000, BulkBatchSize = 500, WarmupCount = 200, EndToEndCount = 4_000, LatencyCount = 500, LatencyRate = 50 }
        : base.Sizes(mode) with { EnqueueBulkCount = 500, EndToEndCount = 500, LatencyRate = 50 };

    /// <inheritdoc />
    public override IBenchmarkSide CreateTasksSide(SideContext context)
    {
        var schema = HangfireBenchSchema.Name(context, "tasks");
        return new TasksSide(
            context,
            captureCulture ? "ITaskQueue + Tasks.Hangfire (CaptureCulture on)" : "ITaskQueue + Tasks.Hangfire",
            tasks => tasks.AddBackend(TasksSide.Alias, (sp, alias) =>
            {
                var backend = new HangfireTaskBackend(alias, new HangfireTaskBackendOptions { ConnectionString = context.Servers.RequirePostgres(), Schema = schema, CaptureCulture = captureCulture }, sp.GetService<ILoggerFactory>());

                // The Hangfire storage (and its schema) is made here, before any timed call, not lazily in the first enqueue.
                _ = backend.JobStorage;
                return backend;
            }),
            reset: ct => HangfireBenchSchema.TruncateAsync(context, schema, ct),
            prepare: ct => BenchPostgres.RequireAsync(context, ct),
            drop: ct => BenchPostgres.DropSchemaAsync(context, schema, ct));
    }

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new HangfireNativeSide(context, new HangfirePostgreSqlBenchStorage(context));
}
