using StackExchange.Redis;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>The test Redis (TASKS_TEST_REDIS) and helpers to inspect and clean one key prefix.</summary>
public static class RedisTestServer
{
    public const string EnvironmentVariable = "TASKS_TEST_REDIS";

    private const string HowToStart = "Run `scripts/servers.sh start` (then `eval \"$(scripts/servers.sh env)\"`) or `scripts/test.sh`.";

    /// <summary>The connection string, or a failed test saying how to start the server.</summary>
    public static string ConnectionString => Require(EnvironmentVariable, "Redis");

    /// <summary>The same server's TLS endpoint (TASKS_TEST_REDIS_TLS), or a failed test saying how to start it.</summary>
    public static string TlsEndpoint => Require("TASKS_TEST_REDIS_TLS", "the Redis TLS endpoint");

    /// <summary>The file of the throw-away authority that signed the TLS endpoint's certificate (TASKS_TEST_REDIS_TLS_CA).</summary>
    public static string TlsAuthorityFile => Require("TASKS_TEST_REDIS_TLS_CA", "the certificate authority of the Redis TLS endpoint");

    /// <summary>A fresh prefix no other test or run uses.</summary>
    public static string NewPrefix(string kind) => $"tasks-test:{kind}:{Guid.NewGuid():N}";

    private static string Require(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set, so there is no {what} to test against. {HowToStart}");

    /// <summary>Connects an admin connection (allowAdmin), failing with how-to-start text if Redis is down.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AllowAdmin = true;
        options.ConnectTimeout = 3000;
        options.ClientName = "tasks-test-admin";
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException($"Redis at {ConnectionString} ({EnvironmentVariable}) is not reachable: {ex.Message}. {HowToStart}", ex);
        }
    }

    /// <summary>Every key under <paramref name="prefix"/>.</summary>
    public static async Task<IReadOnlyList<RedisKey>> KeysAsync(IConnectionMultiplexer redis, string prefix)
    {
        var server = redis.GetServers().Single();
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: $"{prefix}:*", pageSize: 1000))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>Deletes every key under <paramref name="prefix"/> (SCAN + DEL).</summary>
    public static async Task ClearAsync(IConnectionMultiplexer redis, string prefix)
    {
        var keys = await KeysAsync(redis, prefix);
        var db = redis.GetDatabase();
        foreach (var chunk in keys.Chunk(500))
        {
            await db.KeyDeleteAsync(chunk);
        }
    }

    public static void AssertNoKeys(IReadOnlyList<RedisKey> keys, string what) =>
        Assert.True(keys.Count == 0, $"{what}: found {string.Join(", ", keys.Take(10))}");
}
