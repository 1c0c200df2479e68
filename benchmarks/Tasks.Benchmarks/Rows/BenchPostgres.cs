using Npgsql;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The benchmark PostgreSQL (<c>TASKS_TEST_POSTGRES</c>) as the rows use it: reach it with a useful error, run one statement, drop a run's schema.</summary>
public static class BenchPostgres
{
    /// <summary>Fails with the start hint unless PostgreSQL answers.</summary>
    /// <exception cref="BenchmarkSetupException">It does not.</exception>
    public static async Task RequireAsync(SideContext context, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(context.Servers.RequirePostgres());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new BenchmarkSetupException($"PostgreSQL (TASKS_TEST_POSTGRES) cannot be reached: {ex.Message}. {BenchmarkServers.StartHint}");
        }
    }

    /// <summary>Runs <paramref name="sql"/> on a connection of its own.</summary>
    public static async Task ExecuteAsync(SideContext context, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(context.Servers.RequirePostgres());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="schema"/> and everything in it.</summary>
    public static Task DropSchemaAsync(SideContext context, string schema, CancellationToken cancellationToken) =>
        ExecuteAsync(context, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", cancellationToken);
}
