using Npgsql;
using NpgsqlTypes;

namespace Tasks.Quartz;

/// <summary>
/// Statements of the adapter's own on the results table of <c>Tasks.PostgreSql</c> (its layout:
/// <c>PostgreSqlTaskResultStore.CreateSchemaSql</c>), for commands and transactions of the adapter's choosing: inside
/// Quartz's job insert, under Quartz's trigger lock, or joined with Quartz's tables.
/// </summary>
internal static class QuartzResultRows
{
    /// <summary>
    /// The check that an id is new, with the parameter <c>@tasks_id</c> so it can share a command with Quartz's: it copies
    /// the id's row onto itself, which fails with a unique violation exactly when the row exists, and writes nothing
    /// otherwise (one index probe).
    /// </summary>
    public static string NewIdCheckSql(string table) => $"INSERT INTO {table} SELECT * FROM {table} WHERE id = @tasks_id";

    /// <summary>Adds the parameter of <see cref="NewIdCheckSql"/>.</summary>
    public static void AddNewIdCheck(NpgsqlParameterCollection parameters, string id) =>
        parameters.Add(new NpgsqlParameter<Guid>("tasks_id", Guid.Parse(id)));

    /// <summary><see cref="NewIdCheckSql"/> for many ids, on <paramref name="connection"/> in <paramref name="transaction"/>.</summary>
    public static async Task CheckNewIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"INSERT INTO {table} SELECT * FROM {table} WHERE id = ANY(@ids)", connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", envelopes.Select(e => Guid.Parse(e.Id)).ToArray()));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A compare-and-set of one row (the store's own statement), for a write inside a Quartz transaction.</summary>
    public static string UpdateOneSql(string table) =>
        $"UPDATE {table} SET version = @version, status = @status, finished_at = @finished, result = @result WHERE id = @id AND version = @expected";

    /// <summary>Adds the parameters of <see cref="UpdateOneSql"/>.</summary>
    public static void AddUpdate(NpgsqlParameterCollection parameters, TaskResult result, long expectedVersion)
    {
        parameters.Add(new NpgsqlParameter<Guid>("id", Guid.Parse(result.Id)));
        parameters.Add(new NpgsqlParameter<long>("version", result.Version));
        parameters.Add(new NpgsqlParameter<short>("status", (short)result.Status));
        parameters.Add(new NpgsqlParameter("finished", NpgsqlDbType.TimestampTz) { Value = (object?)result.FinishedAt ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter<string>("result", TaskJson.Serialize(result)));
        parameters.Add(new NpgsqlParameter<long>("expected", expectedVersion));
    }

    /// <summary>
    /// A task's row from version <c>@expected</c> in one statement: inserted if there is none (and <paramref name="condition"/>,
    /// if given, holds), else updated if it is still at <c>@expected</c>. One row affected means the write happened.
    /// </summary>
    public static string UpsertSql(string table, string? condition = null) => $"""
        INSERT INTO {table} AS t (id, version, status, task_name, queue, finished_at, result)
        SELECT @id, @version, @status, @task_name, @queue, @finished, @result{(condition is null ? "" : $" WHERE {condition}")}
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, result = EXCLUDED.result
        WHERE t.version = @expected
        """;

    /// <summary>Adds the parameters of <see cref="UpsertSql"/> (those of <see cref="UpdateOneSql"/> and the row's name and queue).</summary>
    public static void AddUpsert(NpgsqlParameterCollection parameters, TaskResult result, long expectedVersion)
    {
        AddUpdate(parameters, result, expectedVersion);
        parameters.Add(new NpgsqlParameter<string>("task_name", result.TaskName));
        parameters.Add(new NpgsqlParameter<string>("queue", result.Queue));
    }
}
