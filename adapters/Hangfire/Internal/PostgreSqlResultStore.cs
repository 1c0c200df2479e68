using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;
using Tasks.PostgreSql;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Results in table <c>"&lt;schema&gt;"."tasks_result"</c> next to Hangfire's tables. A compare-and-set is one
/// conditional UPDATE; Hangfire's storage API has no compare-and-set, and its PostgreSQL distributed lock costs several
/// round trips per use (and waits up to 1 s when contended), too much for every task start and finish.
/// </summary>
internal sealed class PostgreSqlResultStore : IHangfireResultStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly string _schema;
    private readonly TimeSpan _expiration;
    private readonly TimeProvider _time;
    private readonly string _backend;
    private readonly RetryingInitializer _ready;

    public PostgreSqlResultStore(string connectionString, string schema, TimeSpan expiration, TimeProvider time, string backend)
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
        _expiration = expiration;
        _time = time;
        _backend = backend;
        _ready = new RetryingInitializer(CreateTableAsync);
    }

    // No row before the jobs exist (one statement after them, below, saves a round trip and a commit per enqueue), but the
    // table must be ready: preparing it after the jobs would give their workers a head start of several round trips.
    public Task BeforeCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken) =>
        RunAsync("preparing the result table", _ => Task.FromResult(0), cancellationToken);

    /// <summary>
    /// Writes the results with their Hangfire job ids in one statement. A worker fast enough to get a job first finds no
    /// result and creates it from the envelope (the pipeline does that for any delivery without one); the conflict
    /// then only sets the job id, so the worker's newer data stays.
    /// </summary>
    public Task AfterCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken) =>
        InsertAsync(results, "ON CONFLICT (\"id\") DO UPDATE SET \"jobid\" = EXCLUDED.\"jobid\"", "recording enqueued tasks", cancellationToken);

    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) =>
        InsertAsync(results, "ON CONFLICT (\"id\") DO NOTHING", "creating results", cancellationToken);

    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        return await RunAsync("reading a result", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"SELECT \"jobid\", \"data\" FROM {_table} WHERE \"id\" = $1");
            cmd.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? Read(reader) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, TaskResult>> FindManyAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<string, TaskResult>();
        }

        return await RunAsync("reading results", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"SELECT \"jobid\", \"data\" FROM {_table} WHERE \"id\" = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var found = new Dictionary<string, TaskResult>(ids.Count, StringComparer.Ordinal);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var result = Read(reader);
                found[result.Id] = result;
            }

            return (IReadOnlyDictionary<string, TaskResult>)found;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        return await RunAsync("updating a result", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand(
                $"UPDATE {_table} SET \"version\" = $2, \"data\" = $3, \"expireat\" = $4 WHERE \"id\" = $1 AND \"version\" = $5");
            cmd.Parameters.Add(new NpgsqlParameter { Value = result.Id, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = result.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter { Value = TaskJson.Serialize(result), NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = result.IsFinished ? _time.GetUtcNow() + _expiration : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new NpgsqlParameter { Value = expectedVersion, NpgsqlDbType = NpgsqlDbType.Bigint });
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

    private static TaskResult Read(NpgsqlDataReader reader)
    {
        var jobId = reader.IsDBNull(0) ? null : reader.GetString(0);
        var result = TaskJson.DeserializeResult(reader.GetString(1));
        return jobId is null ? result : result with { EngineId = jobId };
    }

    private async Task InsertAsync(IReadOnlyList<TaskResult> results, string onConflict, string operation, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return;
        }

        if (results.Count == 1)
        {
            await InsertOneAsync(results[0], onConflict, operation, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RunAsync(operation, async ct =>
        {
            // One statement for the whole batch.
            await using var cmd = _dataSource.CreateCommand(
                $"INSERT INTO {_table} (\"id\", \"version\", \"jobid\", \"data\", \"expireat\") " +
                $"SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[]) {onConflict}");
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.Id).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.Version).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.EngineId).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(TaskJson.Serialize).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.IsFinished ? _time.GetUtcNow() + _expiration : (DateTimeOffset?)null).ToArray() });
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // The common single enqueue: plain parameters cost less than one-element arrays on both ends.
    private async Task InsertOneAsync(TaskResult r, string onConflict, string operation, CancellationToken cancellationToken)
    {
        await RunAsync(operation, async ct =>
        {
            await using var cmd = _dataSource.CreateCommand(
                $"INSERT INTO {_table} (\"id\", \"version\", \"jobid\", \"data\", \"expireat\") VALUES ($1, $2, $3, $4, $5) {onConflict}");
            cmd.Parameters.Add(new NpgsqlParameter { Value = r.Id, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = r.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)r.EngineId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = TaskJson.Serialize(r), NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = r.IsFinished ? _time.GetUtcNow() + _expiration : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
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
    private Task CreateTableAsync() => PostgreSqlConcurrentDdl.RunAsync(_ => CreateTableOnceAsync(), CancellationToken.None);

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
            $"CREATE INDEX IF NOT EXISTS \"ix_tasks_result_expireat\" ON {_table} (\"expireat\") WHERE \"expireat\" IS NOT NULL;",
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
