using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;
using Tasks.PostgreSql;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Results from Hangfire's own tables, plus table <c>"&lt;schema&gt;"."tasks_result"</c> for what they cannot tell.
/// A task is found through its job: the task id is the job's second argument, indexed (a partial hash index on
/// Hangfire's <c>job</c> table). The job's state gives the status and a Succeeded state the whole result (the job
/// returns it), so enqueueing and running a task writes nothing here; a row is written only for a retry, a failure, a
/// task that runs longer than the Running delay, or an attempt handed back (<see cref="HangfireJobResult"/> merges the
/// two). A row's compare-and-set is one conditional upsert.
/// </summary>
internal sealed class PostgreSqlResultStore : IHangfireResultStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly string _schema;
    private readonly TimeSpan _expiration;
    private readonly TimeProvider _time;
    private readonly string _backend;
    private readonly string _jobTable;
    private readonly string _stateTable;
    private readonly Action _prepareHangfireSchema;
    private readonly TimeSpan _runningDelay;
    private readonly RetryingInitializer _ready;

    /// <param name="connectionString">The Hangfire storage's connection string.</param>
    /// <param name="schema">The Hangfire storage's schema.</param>
    /// <param name="expiration">How long finished rows stay.</param>
    /// <param name="time">The clock of expirations.</param>
    /// <param name="backend">The backend alias, for errors.</param>
    /// <param name="prepareHangfireSchema">Makes Hangfire.PostgreSql create its tables (the task id index is on one of them).</param>
    /// <param name="runningDelay">How long a task runs before its Running record is written.</param>
    public PostgreSqlResultStore(string connectionString, string schema, TimeSpan expiration, TimeProvider time, string backend, Action prepareHangfireSchema, TimeSpan runningDelay)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!builder.ConnectionStringBuilder.ContainsKey("No Reset On Close"))
        {
            // Every statement rents a pooled connection; this store changes no session state, so skip the reset each time.
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        if (!builder.ConnectionStringBuilder.ContainsKey("Max Auto Prepare"))
        {
            // The same few statements run for every task: prepared once per connection, PostgreSQL skips parsing and planning them.
            builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        }

        _dataSource = builder.Build();
        _schema = schema;
        _table = $"\"{schema}\".\"tasks_result\"";
        _jobTable = $"\"{schema}\".\"job\"";
        _stateTable = $"\"{schema}\".\"state\"";
        _prepareHangfireSchema = prepareHangfireSchema;
        _runningDelay = runningDelay;
        _expiration = expiration;
        _time = time;
        _backend = backend;
        _ready = new RetryingInitializer(CreateTableAsync);
    }

    /// <summary>Makes sure the table and the task id index exist before the first jobs are created.</summary>
    public Task BeforeCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken) =>
        RunAsync("preparing the result table", _ => Task.FromResult(0), cancellationToken);

    /// <summary>Nothing to write: the job's arguments and state are the task's result until there is more to tell.</summary>
    public Task AfterCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Results are read from Hangfire's jobs, so a task's status follows its job's state.</summary>
    public bool StatusFromJobs => true;

    /// <summary>
    /// The run's view (<see cref="JobRunResults"/>). A first attempt assumes the task as enqueued and reads nothing: a
    /// retry or a failure writes the next attempt's number into the job's envelope argument with its row, so a run of
    /// an envelope with <c>Attempt</c> above 1 reads the row (one query), and so does a run that recovers a lost worker.
    /// The Running record waits for the delay (<see cref="DeferredRunningResultStore"/>): Hangfire's own Processing state
    /// already keeps a cancel or a second worker away from a started job, and shows the task Running meanwhile. A run that
    /// recovers a job whose worker was lost writes Running at once, so a task that kills its worker within the delay still
    /// counts its lost attempts.
    /// </summary>
    public (ITaskResultStore Results, TaskResult? AsEnqueued) ForRun(TaskEnvelope envelope, string jobId, bool recovering, Action<Exception> onRunningWriteFailed)
    {
        var results = new JobRunResults(this, envelope, jobId, _backend);
        var store = recovering || _runningDelay == TimeSpan.Zero ? (ITaskResultStore)results : new DeferredRunningResultStore(results, envelope.Id, _runningDelay, _time, onRunningWriteFailed);

        // A task gets a row only with its first retry, failure, long run or lost worker: a first attempt that recovers no
        // lost worker has none, and the pipeline may assume the task as enqueued instead of reading.
        var first = envelope.Attempt <= 1 && !recovering;
        return (store, first ? TaskResult.ForEnqueued(envelope, _backend) with { EngineId = jobId } : null);
    }

    /// <summary>Rows for results of deliveries the pipeline holds no record of; a task as enqueued needs none, so this is rarely called.</summary>
    public async Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default)
    {
        if (results.Count == 0)
        {
            return;
        }

        await RunAsync("creating results", async ct =>
        {
            // One statement for the whole batch.
            await using var cmd = _dataSource.CreateCommand(
                $"INSERT INTO {_table} (\"id\", \"version\", \"jobid\", \"data\", \"expireat\") " +
                "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[]) ON CONFLICT (\"id\") DO NOTHING");
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.Id).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.Version).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.EngineId).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(TaskJson.Serialize).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.IsFinished ? _time.GetUtcNow() + _expiration : (DateTimeOffset?)null).ToArray() });
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        var found = await FindManyAsync([id], cancellationToken).ConfigureAwait(false);
        return found.TryGetValue(id, out var result) ? result : null;
    }

    /// <summary>Only the adapter's row of a task (a delivery's first read: the job is the one being run).</summary>
    public async Task<TaskResult?> FindRowAsync(string id, CancellationToken cancellationToken)
    {
        return await RunAsync("reading a result", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"SELECT \"jobid\", \"data\" FROM {_table} WHERE \"id\" = $1");
            cmd.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRow(reader, 0) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The results of <paramref name="ids"/>: each task's latest Tasks job (by the task id index), its current state and the adapter's row, in one query.</summary>
    public async Task<IReadOnlyDictionary<string, TaskResult>> FindManyAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<string, TaskResult>();
        }

        return await RunAsync("reading results", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand(
                "SELECT t.\"tid\", j.\"id\", j.\"statename\", j.\"arguments\"::text, s.\"data\"::text, s.\"createdat\", r.\"jobid\", r.\"data\", s.\"reason\" " +
                "FROM unnest($1::text[]) AS t(\"tid\") " +
                "LEFT JOIN LATERAL (SELECT \"id\", \"statename\", \"arguments\", \"stateid\" FROM " + _jobTable + " " +
                "WHERE (\"arguments\" ->> 1) = to_json(t.\"tid\")::text AND length(\"arguments\" ->> 1) <= " + MaxIndexedArgument + " " +
                "AND \"invocationdata\"::text LIKE '%" + TasksJobTypeName + "%' ORDER BY \"id\" DESC LIMIT 1) j ON true " +
                "LEFT JOIN " + _stateTable + " s ON s.\"id\" = j.\"stateid\" " +
                "LEFT JOIN " + _table + " r ON r.\"id\" = t.\"tid\"");
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var found = new Dictionary<string, TaskResult>(ids.Count, StringComparer.Ordinal);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var row = reader.IsDBNull(7) ? null : ReadRow(reader, 6);
                var result = HangfireJobResult.From(
                    _backend,
                    reader.IsDBNull(1) ? null : reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                    row);
                if (result is not null)
                {
                    found[reader.GetString(0)] = result;
                }
            }

            return (IReadOnlyDictionary<string, TaskResult>)found;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the row of a task that was removed before it started; its job, moved to Deleted with
    /// <see cref="HangfireJobResult.RemovedReason"/>, stays for the dashboard and reads as no task.
    /// </summary>
    public Task ForgetRemovedAsync(string id, string jobId, CancellationToken cancellationToken) => DeleteAsync([id], cancellationToken);

    /// <summary>
    /// Writes a task's row if its version is still <paramref name="expectedVersion"/>. A task without a row is at version
    /// 0 (as enqueued, or as its job's state says), and rows start at version 1, so expecting 0 inserts the first row
    /// and fails if another writer made one meanwhile.
    /// </summary>
    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default) =>
        UpsertAsync(result, expectedVersion, null, cancellationToken);

    /// <summary>
    /// As <see cref="TryUpdateAsync(TaskResult, long, CancellationToken)"/>, and in the same statement replaces the
    /// envelope argument of the task's job with <paramref name="envelope"/> (its <c>Attempt</c> tells the job's next run
    /// that the task has a row to read).
    /// </summary>
    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, string jobId, TaskEnvelope envelope, CancellationToken cancellationToken) =>
        UpsertAsync(result, expectedVersion, (jobId, envelope), cancellationToken);

    /// <summary>Deletes a task's row if its version is <paramref name="expectedVersion"/>; with version 0, a task without a row is already as wanted.</summary>
    public async Task<bool> TryDeleteRowAsync(string id, long expectedVersion, CancellationToken cancellationToken)
    {
        return await RunAsync("updating a result", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand(
                $"WITH \"d\" AS (DELETE FROM {_table} WHERE \"id\" = $1 AND \"version\" = $2 RETURNING 1) " +
                $"SELECT EXISTS (SELECT 1 FROM \"d\") OR ($2 = 0 AND NOT EXISTS (SELECT 1 FROM {_table} WHERE \"id\" = $1))");
            cmd.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = expectedVersion, NpgsqlDbType = NpgsqlDbType.Bigint });
            return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> UpsertAsync(TaskResult result, long expectedVersion, (string JobId, TaskEnvelope Envelope)? mark, CancellationToken cancellationToken)
    {
        return await RunAsync("updating a result", async ct =>
        {
            // The job's envelope argument is kept as Hangfire keeps a string argument: its JSON form, inside the JSON array.
            var markJob = mark is null
                ? string.Empty
                : $"WITH \"marked\" AS (UPDATE {_jobTable} SET \"arguments\" = jsonb_set(\"arguments\", '{{3}}', to_jsonb($7::text)) WHERE \"id\" = $8) ";
            await using var cmd = _dataSource.CreateCommand(
                markJob +
                $"INSERT INTO {_table} AS r (\"id\", \"version\", \"jobid\", \"data\", \"expireat\") VALUES ($1, $2, $3, $4, $5) " +
                "ON CONFLICT (\"id\") DO UPDATE SET \"version\" = EXCLUDED.\"version\", \"jobid\" = COALESCE(EXCLUDED.\"jobid\", r.\"jobid\"), " +
                "\"data\" = EXCLUDED.\"data\", \"expireat\" = EXCLUDED.\"expireat\" WHERE r.\"version\" = $6");
            cmd.Parameters.Add(new NpgsqlParameter { Value = result.Id, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = result.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)result.EngineId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = TaskJson.Serialize(result), NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = result.IsFinished ? _time.GetUtcNow() + _expiration : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new NpgsqlParameter { Value = expectedVersion, NpgsqlDbType = NpgsqlDbType.Bigint });
            if (mark is { } m)
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = HangfireJobResult.StoredArgument(TasksJobPayload.Envelope(m.Envelope)), NpgsqlDbType = NpgsqlDbType.Text });
                cmd.Parameters.Add(new NpgsqlParameter { Value = long.Parse(m.JobId, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Bigint });
            }

            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        await RunAsync("deleting results", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE \"id\" = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        return await RunAsync("removing expired results", async ct =>
        {
            // Small batches keep each delete short next to Hangfire's own traffic.
            await using var cmd = _dataSource.CreateCommand(
                $"DELETE FROM {_table} WHERE \"id\" IN (SELECT \"id\" FROM {_table} WHERE \"expireat\" < now() LIMIT 1000)");
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>The longest second job argument the task id index holds (a task id in any GUID format, quoted, is at most 70).</summary>
    private const int MaxIndexedArgument = 100;

    /// <summary>Part of the type name Hangfire keeps in a Tasks job's invocation data (whatever its serialization format).</summary>
    private static string TasksJobTypeName => typeof(TasksJob).FullName!;

    private static TaskResult ReadRow(NpgsqlDataReader reader, int offset)
    {
        var jobId = reader.IsDBNull(offset) ? null : reader.GetString(offset);
        var result = TaskJson.DeserializeResult(reader.GetString(offset + 1));
        return jobId is null ? result : result with { EngineId = jobId };
    }

    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            await _ready.EnsureAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return await action(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw new TaskBackendUnavailableException(_backend, operation, ex);
        }
    }

    // Hangfire.PostgreSql's installer (or an app) may create the same schema meanwhile, under a lock of its own.
    private Task CreateTableAsync()
    {
        // The task id index is on Hangfire's job table, which Hangfire.PostgreSql creates when its storage is made.
        _prepareHangfireSchema();
        return PostgreSqlConcurrentDdl.RunAsync(_ => CreateTableOnceAsync(), CancellationToken.None);
    }

    private async Task CreateTableOnceAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync().ConfigureAwait(false);

        // Serializes processes that start at the same time (CREATE ... IF NOT EXISTS alone can still collide).
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, tx))
        {
            lockCmd.Parameters.Add(new NpgsqlParameter { Value = $"tasks_result:{_schema}" });
            await lockCmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(
            $"CREATE SCHEMA IF NOT EXISTS \"{_schema}\"; " +
            $"CREATE TABLE IF NOT EXISTS {_table} (\"id\" text NOT NULL PRIMARY KEY, \"version\" bigint NOT NULL, \"jobid\" text NULL, \"data\" text NOT NULL, \"expireat\" timestamptz NULL); " +
            $"CREATE INDEX IF NOT EXISTS \"ix_tasks_result_expireat\" ON {_table} (\"expireat\") WHERE \"expireat\" IS NOT NULL; " +

            // Partial: only short second arguments (a task id is a GUID), so most app jobs add nothing to it. A hash index:
            // lookups are by equality only, and PostgreSQL adds a job to it faster than to a B-tree (pgbench: about 10
            // against 20 µs per insert here).
            $"CREATE INDEX IF NOT EXISTS \"ix_tasks_job_taskid\" ON {_jobTable} USING hash ((\"arguments\" ->> 1)) WHERE length(\"arguments\" ->> 1) <= {MaxIndexedArgument};",
            connection,
            tx))
        {
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await tx.CommitAsync().ConfigureAwait(false);
    }

    internal static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) =>
        ex is not TaskException and not PostgresException &&
        !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested) &&
        (ex is NpgsqlException or SocketException or TimeoutException || ex.InnerException is { } inner && IsUnavailable(inner, cancellationToken));
}
