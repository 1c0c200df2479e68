using Npgsql;
using Tasks.Benchmarks.Harness;
using Tasks.Quartz;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The PostgreSQL schemas of <see cref="QuartzRow"/>: one per side and run (<c>bench_&lt;time&gt;_&lt;random&gt;_quartz_tasks</c> /
/// <c>..._quartz_native</c>) holding that side's Quartz tables (and, for Tasks, its results table), emptied by every
/// reset and dropped when the harness is done with the side.
/// </summary>
public static class QuartzBenchSchema
{
    /// <summary>The schema of <paramref name="side"/> ("tasks" or "native") in this run.</summary>
    public static string Name(SideContext context, string side) => $"{context.RunId.Replace('-', '_')}_quartz_{side}";

    /// <summary>The Quartz table prefix in <paramref name="schema"/>.</summary>
    public static string TablePrefix(string schema) => $"{schema}.qrtz_";

    /// <summary>Fails with the start hint unless PostgreSQL answers, then creates the schema's Quartz tables.</summary>
    /// <exception cref="BenchmarkSetupException">PostgreSQL cannot be reached.</exception>
    public static async Task CreateAsync(SideContext context, string schema, CancellationToken cancellationToken)
    {
        await BenchPostgres.RequireAsync(context, cancellationToken).ConfigureAwait(false);
        await using var dataSource = NpgsqlDataSource.Create(context.Servers.RequirePostgres());

        // The DDL Quartz itself embeds, as both sides use it.
        await QuartzSchema.EnsureCreatedAsync(dataSource, TablePrefix(schema), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Empties every table of the schema (no scheduler of it may be running).</summary>
    public static Task TruncateAsync(SideContext context, string schema, CancellationToken cancellationToken) => BenchPostgres.ExecuteAsync(context, $"""
        DO $$ DECLARE t text; BEGIN
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' LOOP
            EXECUTE format('TRUNCATE TABLE %I.%I CASCADE', '{schema}', t);
          END LOOP;
        END $$;
        """, cancellationToken);
}
