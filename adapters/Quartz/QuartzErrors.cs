using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// How the adapter reports a failed Quartz or database call: an unreachable database as
/// <see cref="TaskBackendUnavailableException"/>, missing Quartz tables as <see cref="TaskConfigurationException"/>.
/// Shared by the backend and by its results (<see cref="QuartzJobResults"/>), which reads the Quartz tables too.
/// </summary>
internal static class QuartzErrors
{
    /// <summary>
    /// The typed error for a failed Quartz or database call of backend <paramref name="alias"/>, or <see langword="null"/>
    /// when it has none (rethrow as is). Once the caller's <paramref name="cancellationToken"/> is cancelled a failure is
    /// the cancellation: Npgsql may report a cancelled read as a broken connection (a timeout while it waits for the
    /// server to acknowledge the cancel), which is not the database being unavailable.
    /// </summary>
    public static Exception? Translate(string alias, string tablePrefix, string what, Exception ex, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ex is OperationCanceledException ? null : new OperationCanceledException($"Quartz backend '{alias}': {what} was cancelled.", ex, cancellationToken);
        }

        if (IsUnavailable(ex))
        {
            return new TaskBackendUnavailableException(alias, what, ex);
        }

        if (Find<PostgresException>(ex) is { SqlState: PostgresErrorCodes.UndefinedTable } || IsSchemaValidationFailure(ex))
        {
            return new TaskConfigurationException($"Quartz backend '{alias}': the Quartz tables with prefix '{tablePrefix}' do not exist ({what}). Set CreateSchema = true, or create them with QuartzSchema.GetCreateScript(\"{tablePrefix}\").", ex);
        }

        return null;
    }

    /// <summary>Quartz refuses a store whose tables are missing with a plain SchedulerException; its message is the only sign.</summary>
    private static bool IsSchemaValidationFailure(Exception ex) =>
        ex is SchedulerException && ex.Message.Contains("schema validation failed", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first exception of type <typeparamref name="T"/> in the chain of inner exceptions, if any.</summary>
    public static T? Find<T>(Exception ex)
        where T : Exception
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Whether the database could not be reached (as opposed to answering with an error, e.g. a missing table).</summary>
    private static bool IsUnavailable(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    // Connection exceptions, operator intervention (shutdown), insufficient resources.
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal);
                case NpgsqlException or SocketException or TimeoutException or IOException:
                    return true;
                case DbException db when db.IsTransient:
                    return true;
            }
        }

        return false;
    }
}
