using Npgsql;
using NpgsqlTypes;

namespace Tasks.Quartz;

/// <summary>
/// Statements of the adapter's own on the results table of <c>Tasks.PostgreSql</c> (its layout:
/// <c>PostgreSqlTaskResultStore.CreateSchemaSql</c>), for commands and transactions of the adapter's choosing: under
/// Quartz's trigger lock, or joined with Quartz's tables.
/// </summary>
internal static class QuartzResultRows
{
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
