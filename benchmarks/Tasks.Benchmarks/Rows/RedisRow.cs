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
    public override IBenchmarkSide CreateTasksSide(SideContext context)
    {
        // Every key of this run starts with the run id, so the reset deletes exactly this run's tasks and results.
        var prefix = context.RunId + ":tasks";
        return new TasksSide(
            context,
            "ITaskQueue + Tasks.Redis",
            tasks => tasks.AddRedisBackend(TasksSide.Alias, o =>
            {
                o.ConnectionString = context.Servers.RequireRedis();
                o.Prefix = prefix;
            }),
            reset: ct => RedisConnections.DeleteByPrefixAsync(context.Servers, prefix, ct));
    }

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new RedisListSide(context);
}
