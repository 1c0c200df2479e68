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

    /// <summary>Empties every table of the schema but Hangfire's schema-version table, so the storage needs no new install.</summary>
    public static Task TruncateAsync(SideContext context, string schema, CancellationToken cancellationToken) => BenchPostgres.ExecuteAsync(context, $"""
        DO $$ DECLARE t text; BEGIN
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' AND tablename <> 'schema' LOOP
            EXECUTE format('TRUNCATE TABLE %I.%I RESTART IDENTITY CASCADE', '{schema}', t);
          END LOOP;
        END $$;
        """, cancellationToken);
}
