using Npgsql;

namespace Tasks.PostgreSql;

/// <summary>
/// Runs idempotent DDL (<c>CREATE … IF NOT EXISTS</c>) that other processes or packages may run at the same moment on
/// the same schema. PostgreSQL's <c>IF NOT EXISTS</c> does not cover a concurrent creation of the same object: the
/// loser fails with a unique violation on the system catalog (or "already exists"), even under an advisory lock when the
/// other creator holds a different one (another table's store, another package, the application). Running the DDL again
/// then finds the object and succeeds.
/// </summary>
public static class PostgreSqlConcurrentDdl
{
    private const int MaxRuns = 3;

    /// <summary>Whether <paramref name="exception"/> is what a concurrent creation of the same object raises.</summary>
    /// <param name="exception">The error of a <c>CREATE … IF NOT EXISTS</c> statement.</param>
    public static bool IsConcurrentCreation(Exception exception) =>
        exception is PostgresException
        {
            SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject,
        };

    /// <summary>Runs <paramref name="ddl"/>, and again (three runs at most) while it loses a race with a concurrent creation.</summary>
    /// <param name="ddl">Idempotent DDL: safe to run again after it failed.</param>
    /// <param name="cancellationToken">Passed to <paramref name="ddl"/>.</param>
    public static async Task RunAsync(Func<CancellationToken, Task> ddl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        for (var run = 1; ; run++)
        {
            try
            {
                await ddl(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException ex) when (run < MaxRuns && IsConcurrentCreation(ex))
            {
                // The other creator has committed by the time its row blocked ours: the next run finds the object.
            }
        }
    }
}
