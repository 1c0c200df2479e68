using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Redis: the Tasks.Redis adapter against a raw StackExchange.Redis list queue (<see cref="RedisListSide"/>).
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
    public override IBenchmarkSide? CreateTasksSide(SideContext context)
    {
        // ===== PENDING: the Tasks.Redis adapter (adapters/Redis) does not exist yet. When it does:
        //  1. add <ProjectReference Include="../../adapters/Redis/Tasks.Redis.csproj" /> to Tasks.Benchmarks.csproj;
        //  2. replace `return null;` with (adjusting the option names to the adapter's):
        //
        //     var prefix = context.RunId + ":tasks";
        //     return new TasksSide(
        //         context,
        //         "ITaskQueue + Tasks.Redis",
        //         tasks => tasks.AddRedisBackend(TasksSide.Alias, o =>
        //         {
        //             o.Configuration = context.Servers.RequireRedis();
        //             o.KeyPrefix = prefix;
        //         }),
        //         reset: ct => RedisConnections.DeleteByPrefixAsync(context.Servers, prefix, ct));
        return null;
    }

    /// <inheritdoc />
    public override IBenchmarkSide CreateNativeSide(SideContext context) => new RedisListSide(context);
}
