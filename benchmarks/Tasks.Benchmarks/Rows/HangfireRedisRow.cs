using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Tasks.Redis against Hangfire on the same Redis server (Hangfire.Redis.StackExchange, <c>BackgroundJobClient</c> +
/// <c>BackgroundJobServer</c>) doing the same no-op work: the figure a team choosing between "Hangfire on Redis" and
/// "Tasks on Redis" wants. Unlike the other rows the ratio is not an overhead (the two sides are different queues),
/// and Hangfire's own sizes bound the row: Hangfire on Redis runs a few thousand jobs per second, so N is smaller than
/// the Redis row's (the table states it).
/// </summary>
public sealed class HangfireRedisRow : BenchmarkRow
{
    /// <inheritdoc />
    public override string Name => "RedisVsHangfire";

    /// <inheritdoc />
    /// <remarks>No comma: the CI test reads results.csv by splitting lines at commas.</remarks>
    public override string Engine => "Redis 7: Tasks.Redis vs Hangfire 1.8 + Hangfire.Redis.StackExchange 1.12";

    /// <inheritdoc />
    public override IReadOnlyList<BenchmarkServer> Servers => [BenchmarkServer.Redis];

    /// <summary>10,000 tasks end to end and for each enqueue figure; latency at the default 200 tasks/s.</summary>
    public override BenchmarkSizes Sizes(BenchmarkMode mode) => mode == BenchmarkMode.Full
        ? base.Sizes(mode) with { EnqueueSingleCount = 5_000, EnqueueBulkCount = 10_000, WarmupCount = 1_000, EndToEndCount = 10_000, LatencyCount = 1_000 }
        : base.Sizes(mode);

    /// <inheritdoc />
    public override IBenchmarkSide CreateTasksSide(SideContext context) => RedisRow.TasksRedisSide(context, context.RunId + ":tasks-vs-hangfire");

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new HangfireNativeSide(context, new HangfireRedisBenchStorage(context));
}
