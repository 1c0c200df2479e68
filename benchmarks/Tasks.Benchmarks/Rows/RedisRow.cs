using Tasks.Benchmarks.Harness;
using Tasks.Redis;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Redis: the Tasks.Redis adapter (Lua-scripted reliable queue: leases, results, priorities) against a raw
/// StackExchange.Redis list queue (<see cref="RedisListSide"/>) that does none of that.
/// </summary>
public sealed class RedisRow : BenchmarkRow
{
    /// <inheritdoc />
    public override string Name => "Redis";

    /// <inheritdoc />
    public override string Engine => "Redis 7 (StackExchange.Redis 2.13)";

    /// <inheritdoc />
    public override IReadOnlyList<BenchmarkServer> Servers => [BenchmarkServer.Redis];

    /// <inheritdoc />
    public override IBenchmarkSide CreateTasksSide(SideContext context) => TasksRedisSide(context, context.RunId + ":tasks");

    /// <summary>The Tasks.Redis side with every key under <paramref name="prefix"/> (also the Tasks side of <see cref="HangfireRedisRow"/>).</summary>
    internal static TasksSide TasksRedisSide(SideContext context, string prefix) => new(
        context,
        "ITaskQueue + Tasks.Redis",
        tasks => tasks.AddRedisBackend(TasksSide.Alias, o =>
        {
            o.ConnectionString = context.Servers.RequireRedis();
            o.Prefix = prefix;
        }),

        // Every key of this run starts with the prefix, so the reset deletes exactly this run's tasks and results.
        reset: ct => RedisConnections.DeleteByPrefixAsync(context.Servers, prefix, ct));

    /// <inheritdoc />
    public override Task<IReadOnlyList<string>> MeasureReferencesAsync(SideContext context, BenchmarkSizes sizes, CancellationToken cancellationToken) =>
        RedisBenchmarkCeiling.MeasureAsync(context, sizes, cancellationToken);

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new RedisListSide(context);
}
