using Npgsql;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The PostgreSQL schemas of <see cref="HangfireRow"/>: one per side and run (<c>bench_&lt;time&gt;_&lt;random&gt;_tasks</c> /
/// <c>..._native</c>), emptied by every reset and dropped when the harness is done with the side.
/// </summary>
public static class HangfireBenchSchema
{
    /// <summary>The schema of <paramref name="side"/> ("tasks" or "native") in this run.</summary>
    public static string Name(SideContext context, string side) => $"{context.RunId.Replace('-', '_')}_{side}";

    /// <summary>Fails with the start hint unless PostgreSQL answers.</summary>
    /// <exception cref="BenchmarkSetupException">It does not.</exception>
    public static async Task RequireAsync(SideContext context, CancellationToken cancellationToken)
    {
        var cs = context.Servers.RequirePostgres();
        try
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new BenchmarkSetupException($"PostgreSQL (TASKS_TEST_POSTGRES) cannot be reached: {ex.Message}. {BenchmarkServers.StartHint}");
        }
    }

    /// <summary>Empties every table of the schema but Hangfire's schema-version table, so the storage needs no new install.</summary>
    public static Task TruncateAsync(SideContext context, string schema, CancellationToken cancellationToken) => ExecuteAsync(context, $"""
        DO $$ DECLARE t text; BEGIN
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' AND tablename <> 'schema' LOOP
            EXECUTE format('TRUNCATE TABLE %I.%I RESTART IDENTITY CASCADE', '{schema}', t);
          END LOOP;
        END $$;
        """, cancellationToken);

    /// <summary>Removes the schema and everything in it.</summary>
    public static Task DropAsync(SideContext context, string schema, CancellationToken cancellationToken) =>
        ExecuteAsync(context, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", cancellationToken);

    private static async Task ExecuteAsync(SideContext context, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(context.Servers.RequirePostgres());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
