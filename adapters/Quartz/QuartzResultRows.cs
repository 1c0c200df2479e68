using Npgsql;
using NpgsqlTypes;

namespace Tasks.Quartz;

/// <summary>
/// Result rows written by the adapter itself, inside a Quartz transaction, into the results table of
/// <c>Tasks.PostgreSql</c> (its layout: <c>PostgreSqlTaskResultStore.CreateSchemaSql</c>). The store writes the same
/// rows the same way; the adapter needs the statement on a connection and transaction of its own choosing.
/// </summary>
internal static class QuartzResultRows
{
    /// <summary>One row, with parameters named <c>tasks_*</c> so the statement can share a command with Quartz's.</summary>
    public static string InsertOneSql(string table) =>
        $"INSERT INTO {table} (id, version, status, task_name, queue, finished_at, result) VALUES (@tasks_id, @tasks_version, @tasks_status, @tasks_name, @tasks_queue, NULL, @tasks_result)";

    /// <summary>Adds the parameters of <see cref="InsertOneSql"/>.</summary>
    public static void AddOne(NpgsqlParameterCollection parameters, TaskResult result)
    {
        parameters.Add(new NpgsqlParameter<Guid>("tasks_id", Guid.Parse(result.Id)));
        parameters.Add(new NpgsqlParameter<long>("tasks_version", result.Version));
        parameters.Add(new NpgsqlParameter<short>("tasks_status", (short)result.Status));
        parameters.Add(new NpgsqlParameter<string>("tasks_name", result.TaskName));
        parameters.Add(new NpgsqlParameter<string>("tasks_queue", result.Queue));
        parameters.Add(new NpgsqlParameter<string>("tasks_result", TaskJson.Serialize(result)));
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

    /// <summary>Inserts many rows with one statement (unnest over arrays), on <paramref name="connection"/> in <paramref name="transaction"/>.</summary>
    public static async Task InsertManyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, IReadOnlyList<TaskResult> results, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            $"INSERT INTO {table} (id, version, status, task_name, queue, finished_at, result) SELECT * FROM unnest(@ids, @versions, @statuses, @names, @queues, @finished, @results)",
            connection,
            transaction);
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", results.Select(r => Guid.Parse(r.Id)).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("versions", results.Select(r => r.Version).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("statuses", results.Select(r => (short)r.Status).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", results.Select(r => r.TaskName).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("queues", results.Select(r => r.Queue).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter("finished", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = results.Select(r => (object?)r.FinishedAt ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("results", results.Select(TaskJson.Serialize).ToArray()));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
