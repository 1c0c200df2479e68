using Npgsql;
using Xunit;

namespace Tasks.Hangfire.Tests;

/// <summary>The test PostgreSQL server: its address comes from TASKS_TEST_POSTGRES; a missing or unreachable server fails the test.</summary>
public static class TestServers
{
    private const string Hint = "Run `scripts/servers.sh start` (then `eval \"$(scripts/servers.sh env)\"`) or run the tests with `scripts/test.sh`.";

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("TASKS_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"TASKS_TEST_POSTGRES is not set, so the Hangfire PostgreSQL tests have no server. {Hint}");

    /// <summary>Fails with a hint unless PostgreSQL answers.</summary>
    public static async Task<string> RequirePostgresAsync()
    {
        var cs = PostgresConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            Assert.Fail($"PostgreSQL at TASKS_TEST_POSTGRES ({new NpgsqlConnectionStringBuilder(cs) { Password = null }}) cannot be reached: {ex.Message}. {Hint}");
        }

        return cs;
    }

    /// <summary>A schema name no other fixture or run uses.</summary>
    public static string NewSchema() => $"tasks_test_{Guid.NewGuid():N}"[..19];

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
