using Npgsql;
using StackExchange.Redis;

namespace Tasks.EndToEnd.Tests;

/// <summary>
/// Removes what one run of an <see cref="Engine"/> left on the shared test servers (Redis keys, PostgreSQL schemas and
/// Quartz tables), so servers reused across test runs do not grow with every run. RabbitMQ queues are left: they are
/// empty at the end of a test and the broker's data lives in a temporary folder.
/// </summary>
internal static class EngineCleanup
{
    /// <summary>
    /// Removes the run's data when disposed: declare it before the host (<c>await using</c> disposes in reverse order),
    /// so the host stops first.
    /// </summary>
    public static IAsyncDisposable When(Engine engine, string runId) => new Removal(engine, runId);

    /// <summary>Removes the data of <paramref name="engine"/> for <paramref name="runId"/>; the engine's host must be disposed first.</summary>
    public static async Task RemoveAsync(Engine engine, string runId)
    {
        switch (engine.Name)
        {
            case "Redis":
                await RemoveRedisKeysAsync($"e2e-{runId}:");
                break;
            case "Hangfire":
                await DropAsync([$"hf_{runId}"], tablePrefix: null);
                break;
            case "Quartz":
                await DropAsync([$"qr_{runId}"], tablePrefix: $"q{runId}_");
                break;
            case "MassTransit":
                await DropAsync([$"mt_{runId}"], tablePrefix: null);
                break;
        }
    }

    private static async Task RemoveRedisKeysAsync(string prefix)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);
        var db = redis.GetDatabase();
        foreach (var server in redis.GetServers())
        {
            var batch = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1_000))
            {
                batch.Add(key);
                if (batch.Count == 1_000)
                {
                    await db.KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await db.KeyDeleteAsync([.. batch]);
            }
        }
    }

    private static async Task DropAsync(string[] schemas, string? tablePrefix)
    {
        await using var conn = new NpgsqlConnection(TestServers.Postgres);
        await conn.OpenAsync();
        var tables = new List<string>();
        if (tablePrefix is not null)
        {
            await using var find = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE @p", conn);
            find.Parameters.AddWithValue("p", tablePrefix.Replace("_", "\\_", StringComparison.Ordinal) + "%");
            await using var reader = await find.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var statement in schemas.Select(s => $"DROP SCHEMA IF EXISTS \"{s}\" CASCADE").Concat(tables.Select(t => $"DROP TABLE IF EXISTS \"{t}\" CASCADE")))
        {
            await using var drop = new NpgsqlCommand(statement, conn);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private sealed class Removal(Engine engine, string runId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await RemoveAsync(engine, runId);
    }
}
