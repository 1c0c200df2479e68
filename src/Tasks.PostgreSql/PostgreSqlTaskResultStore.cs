using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Tasks.PostgreSql;

/// <summary>
/// Task results in one PostgreSQL table: a row per task with its version, so the pipeline's compare-and-set is one
/// <c>UPDATE ... WHERE version = @expected</c>. Updates are group-committed: one finding none in flight is sent at once,
/// those arriving meanwhile go together in the next statement (a busy worker's many deliveries share round trips).
/// Finished rows are deleted after <see cref="PostgreSqlTaskResultStoreOptions.Retention"/>.
/// </summary>
public sealed partial class PostgreSqlTaskResultStore : ITaskResultStore, IAsyncDisposable
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlTaskResultStoreOptions _options;
    private readonly string _table;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly TimeProvider _time;
    private readonly GroupCommit<ResultUpdate, bool> _updates;
    private volatile bool _schemaReady;
    private long _nextPurgeTicks;

    /// <summary>Creates the store over <paramref name="dataSource"/> (or, if null, one built from the options' connection string).</summary>
    public PostgreSqlTaskResultStore(PostgreSqlTaskResultStoreOptions options, NpgsqlDataSource? dataSource = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _table = $"{Identifier(options.Schema)}.{Identifier(options.Table)}";
        _time = timeProvider ?? TimeProvider.System;
        if (dataSource is null)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                throw new TaskConfigurationException("The PostgreSQL result store needs a ConnectionString or an NpgsqlDataSource.");
            }

            dataSource = BuildDataSource(options.ConnectionString);
            _ownsDataSource = true;
        }

        _dataSource = dataSource;
        // Two updates of one row never share a statement: the joined UPDATE would apply only one and not say which.
        _updates = new GroupCommit<ResultUpdate, bool>(SendUpdatesAsync, conflictKey: u => u.Id);
    }

    /// <summary>The DDL this store needs, for applications that manage schema themselves.</summary>
    public string CreateSchemaSql => $"""
        CREATE SCHEMA IF NOT EXISTS {Identifier(_options.Schema)};
        CREATE TABLE IF NOT EXISTS {_table} (
            id uuid PRIMARY KEY,
            version bigint NOT NULL,
            status smallint NOT NULL,
            task_name text NOT NULL,
            queue text NOT NULL,
            finished_at timestamptz NULL,
            result text NOT NULL);
        CREATE INDEX IF NOT EXISTS {Identifier(_options.Table + "_finished")} ON {_table} (finished_at) WHERE finished_at IS NOT NULL;
        DROP INDEX IF EXISTS {Identifier(_options.Schema)}.{Identifier(_options.Table + "_pending")};
        CREATE INDEX IF NOT EXISTS {Identifier(_options.Table + "_ready")} ON {_table} (queue, id) WHERE status = 0;
        """;

    /// <inheritdoc />
    public async Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        if (results.Count == 1)
        {
            await CreateOneAsync(results[0], cancellationToken).ConfigureAwait(false);
            return;
        }

        await RunAsync("saving new results", async ct =>
        {
            // unnest over arrays: one statement and one round trip for any batch size.
            await using var cmd = _dataSource.CreateCommand($"""
                INSERT INTO {_table} (id, version, status, task_name, queue, finished_at, result)
                SELECT * FROM unnest(@ids, @versions, @statuses, @names, @queues, @finished, @results)
                """);
            cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", results.Select(r => Guid.Parse(r.Id)).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("versions", results.Select(r => r.Version).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<short[]>("statuses", results.Select(r => (short)r.Status).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", results.Select(r => r.TaskName).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("queues", results.Select(r => r.Queue).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter("finished", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = results.Select(r => (object?)r.FinishedAt ?? DBNull.Value).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("results", results.Select(TaskJson.Serialize).ToArray()));
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // The common single enqueue: plain parameters cost less than one-element arrays on both ends.
    private Task CreateOneAsync(TaskResult r, CancellationToken cancellationToken) => RunAsync("saving a new result", async ct =>
    {
        await using var cmd = _dataSource.CreateCommand($"""
            INSERT INTO {_table} (id, version, status, task_name, queue, finished_at, result)
            VALUES (@id, @version, @status, @name, @queue, @finished, @result)
            """);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", Guid.Parse(r.Id)));
        cmd.Parameters.Add(new NpgsqlParameter<long>("version", r.Version));
        cmd.Parameters.Add(new NpgsqlParameter<short>("status", (short)r.Status));
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", r.TaskName));
        cmd.Parameters.Add(new NpgsqlParameter<string>("queue", r.Queue));
        cmd.Parameters.Add(new NpgsqlParameter("finished", NpgsqlDbType.TimestampTz) { Value = (object?)r.FinishedAt ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<string>("result", TaskJson.Serialize(r)));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }, cancellationToken);

    /// <summary>The store's own data source: unless the connection string says otherwise, no session reset between rentals and automatic preparation.</summary>
    private static NpgsqlDataSource BuildDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!builder.ConnectionStringBuilder.ContainsKey("No Reset On Close"))
        {
            // Every call rents a pooled connection for one statement and changes no session state: resetting it is waste.
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        if (!builder.ConnectionStringBuilder.ContainsKey("Max Auto Prepare"))
        {
            // The same few statements run for every task: prepared once per connection, PostgreSQL skips parsing and planning them.
            builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        }

        return builder.Build();
    }

    /// <inheritdoc />
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return null;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("reading a result", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"SELECT result FROM {_table} WHERE id = @id");
            cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", key));
            var json = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
            return json is null ? null : TaskJson.DeserializeResult(json);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var updated = await _updates.AddAsync(new ResultUpdate(Guid.Parse(result.Id), result, expectedVersion), cancellationToken).ConfigureAwait(false);
        if (updated && result.IsFinished)
        {
            await PurgeIfDueAsync(cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    /// <summary>Sends one batch of the group commit: the plain statement for one update, an <c>unnest</c> join for more.</summary>
    private Task<IReadOnlyList<bool>> SendUpdatesAsync(IReadOnlyList<ResultUpdate> batch) => RunAsync<IReadOnlyList<bool>>(batch.Count == 1 ? "updating a result" : "updating results", async ct =>
    {
        if (batch.Count == 1)
        {
            var u = batch[0];
            await using var one = _dataSource.CreateCommand($"""
                UPDATE {_table} SET version = @version, status = @status, finished_at = @finished, result = @result
                WHERE id = @id AND version = @expected
                """);
            one.Parameters.Add(new NpgsqlParameter<Guid>("id", u.Id));
            one.Parameters.Add(new NpgsqlParameter<long>("version", u.Result.Version));
            one.Parameters.Add(new NpgsqlParameter<short>("status", (short)u.Result.Status));
            one.Parameters.Add(new NpgsqlParameter("finished", NpgsqlDbType.TimestampTz) { Value = (object?)u.Result.FinishedAt ?? DBNull.Value });
            one.Parameters.Add(new NpgsqlParameter<string>("result", TaskJson.Serialize(u.Result)));
            one.Parameters.Add(new NpgsqlParameter<long>("expected", u.ExpectedVersion));
            return [await one.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1];
        }

        await using var cmd = _dataSource.CreateCommand($"""
            UPDATE {_table} AS t SET version = v.version, status = v.status, finished_at = v.finished, result = v.result
            FROM unnest(@ids, @versions, @statuses, @finished, @results, @expected) AS v(id, version, status, finished, result, expected)
            WHERE t.id = v.id AND t.version = v.expected
            RETURNING t.id
            """);
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", batch.Select(u => u.Id).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("versions", batch.Select(u => u.Result.Version).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("statuses", batch.Select(u => (short)u.Result.Status).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter("finished", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = batch.Select(u => (object?)u.Result.FinishedAt ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("results", batch.Select(u => TaskJson.Serialize(u.Result)).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("expected", batch.Select(u => u.ExpectedVersion).ToArray()));
        var applied = new HashSet<Guid>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                applied.Add(reader.GetGuid(0));
            }
        }

        return batch.Select(u => applied.Contains(u.Id)).ToArray();
    }, CancellationToken.None);

    /// <inheritdoc />
    public async Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync("deleting results", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE id = ANY(@ids)");
            cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids.Select(Guid.Parse).ToArray()));
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of the results that have not started (<see cref="TaskResultStatus.Ready"/>: new, deferred, waiting for a
    /// retry), ordered by queue, then id. Keyset paging on the partial index of Ready rows: each page costs what its rows
    /// cost, however many pages came before, and a row that stays Ready through the paging is returned exactly once.
    /// </summary>
    /// <param name="queue">Only this queue; <see langword="null"/> for every queue.</param>
    /// <param name="after">The last result of the previous page (only its queue and id are used); <see langword="null"/> for the first page.</param>
    /// <param name="limit">The most rows to return (1 to 10,000); fewer means this was the last page.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<TaskResult>> ListReadyAsync(string? queue, TaskResult? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        var afterId = after is null ? (Guid?)null : Guid.Parse(after.Id);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("listing ready results", async ct =>
        {
            // Both shapes are range scans of the (queue, id) WHERE status = 0 index, in its order.
            var where = (queue, afterId) switch
            {
                (not null, null) => "queue = @queue",
                (not null, not null) => "queue = @queue AND id > @after_id",
                (null, null) => "TRUE",
                (null, not null) => "(queue, id) > (@after_queue, @after_id)",
            };
            await using var cmd = _dataSource.CreateCommand($"SELECT result FROM {_table} WHERE status = 0 AND {where} ORDER BY queue, id LIMIT @limit");
            if (queue is not null)
            {
                cmd.Parameters.Add(new NpgsqlParameter<string>("queue", queue));
            }

            if (afterId is { } id)
            {
                cmd.Parameters.Add(new NpgsqlParameter<Guid>("after_id", id));
                if (queue is null)
                {
                    cmd.Parameters.Add(new NpgsqlParameter<string>("after_queue", after!.Queue));
                }
            }

            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            var page = new List<TaskResult>(Math.Min(limit, 1_000));
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                page.Add(TaskJson.DeserializeResult(reader.GetString(0)));
            }

            return page;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes finished results older than the retention now; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("purging old results", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table} WHERE finished_at < @cutoff");
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", _time.GetUtcNow() - _options.Retention));
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every row (for tests and resets).</summary>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync("clearing results", async ct =>
        {
            await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_table}");
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _schemaGate.Dispose();
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady || !_options.CreateSchema)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await RunAsync("creating the results table", async ct =>
            {
                await using var conn = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                // Several processes may start at once: serialise the DDL with an advisory lock.
                await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext(@name))", conn))
                {
                    lockCmd.Parameters.Add(new NpgsqlParameter<string>("name", _table));
                    await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                try
                {
                    await PostgreSqlConcurrentDdl.RunAsync(
                        async c =>
                        {
                            await using var ddl = new NpgsqlCommand(CreateSchemaSql, conn);
                            await ddl.ExecuteNonQueryAsync(c).ConfigureAwait(false);
                        },
                        ct).ConfigureAwait(false);
                }
                finally
                {
                    await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext(@name))", conn);
                    unlock.Parameters.Add(new NpgsqlParameter<string>("name", _table));
                    await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private async Task PurgeIfDueAsync(CancellationToken cancellationToken)
    {
        if (!_options.PurgeAutomatically)
        {
            return;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var next = Interlocked.Read(ref _nextPurgeTicks);
        if (now < next || Interlocked.CompareExchange(ref _nextPurgeTicks, now + PurgeEvery.Ticks, next) != next)
        {
            return;
        }

        await PurgeAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(string what, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        await RunAsync<bool>(what, async ct => { await work(ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    private async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex.IsTransient || ex.InnerException is System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            // Connection-level failures mean the operation did not happen; say so with the typed error.
            throw new TaskBackendUnavailableException("postgresql-results", what, ex);
        }
    }

    /// <summary>One compare-and-set waiting in the group commit.</summary>
    private sealed record ResultUpdate(Guid Id, TaskResult Result, long ExpectedVersion);

    private static string Identifier(string name) =>
        IdentifierPattern().IsMatch(name) ? $"\"{name}\"" : throw new TaskConfigurationException($"'{name}' is not a valid PostgreSQL identifier here: use letters, digits and '_', starting with a letter or '_'.");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();
}
