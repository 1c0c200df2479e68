using StackExchange.Redis;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>Connecting to the benchmark Redis with a useful error, and deleting one run's keys.</summary>
public static class RedisConnections
{
    /// <summary>Connects to <c>TASKS_TEST_REDIS</c>.</summary>
    /// <param name="servers">Server addresses.</param>
    /// <param name="asyncTimeout">Async command timeout; raise it for connections that run blocking commands.</param>
    /// <exception cref="BenchmarkSetupException">The variable is missing or Redis does not answer; the message names <c>scripts/servers.sh start</c>.</exception>
    public static async Task<ConnectionMultiplexer> ConnectAsync(BenchmarkServers servers, TimeSpan? asyncTimeout = null)
    {
        var address = servers.RequireRedis();
        var options = ConfigurationOptions.Parse(address);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5_000;
        options.ConnectRetry = 1;
        if (asyncTimeout is { } t)
        {
            options.AsyncTimeout = (int)t.TotalMilliseconds;
        }

        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            throw new BenchmarkSetupException($"Redis at {address} ({BenchmarkServers.VariableOf(BenchmarkServer.Redis)}) cannot be reached: {ex.Message} {BenchmarkServers.StartHint}", ex);
        }
    }

    /// <summary>Deletes every key that starts with <paramref name="prefix"/> (SCAN, then DEL in batches).</summary>
    public static async Task DeleteByPrefixAsync(IConnectionMultiplexer redis, string prefix, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            var batch = new List<RedisKey>(1000);
            await foreach (var key in server.KeysAsync(db.Database, pattern: prefix + "*", pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(key);
                if (batch.Count == 1000)
                {
                    await db.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await db.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Connects, deletes every key that starts with <paramref name="prefix"/>, disconnects (for <see cref="TasksSide"/> resets).</summary>
    public static async Task DeleteByPrefixAsync(BenchmarkServers servers, string prefix, CancellationToken cancellationToken)
    {
        await using var redis = await ConnectAsync(servers).ConfigureAwait(false);
        await DeleteByPrefixAsync(redis, prefix, cancellationToken).ConfigureAwait(false);
    }
}
