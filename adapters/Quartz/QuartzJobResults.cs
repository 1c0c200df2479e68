using System.Text.Json;
using Npgsql;
using Tasks.PostgreSql;

namespace Tasks.Quartz;

/// <summary>
/// The results of an AdoNet backend with the built-in results table. A task's row is written at its first change
/// (started, finished, cancelled); until then its Quartz job stands for it: a task with a job that still has a trigger
/// and no row has the Ready result of the envelope in the job data, at version 0. (A job without triggers stands for
/// nothing: task jobs are durable, so a finished task keeps its job until its row is purged, see
/// <see cref="QuartzResultPurger"/>.) So an enqueue writes what Quartz writes and nothing more (the
/// row that used to be inserted with the job cost a few percent of every enqueue), and the first change of a task
/// inserts its row, provided the job is still there (<see cref="TryUpdateAsync"/>). Rows of Ready tasks written by
/// earlier versions of the adapter are read and replaced as before.
/// </summary>
internal sealed class QuartzJobResults : ITaskResultStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _tablePrefix;
    private readonly string _schedulerName;
    private readonly string _alias;
    private readonly string _findSql;
    private readonly string _firstWriteSql;
    private volatile bool _tableReady;

    public QuartzJobResults(PostgreSqlTaskResultStore inner, NpgsqlDataSource dataSource, string table, string tablePrefix, string schedulerName, string alias)
    {
        Inner = inner;
        _dataSource = dataSource;
        _tablePrefix = tablePrefix;
        _schedulerName = schedulerName;
        _alias = alias;
        _findSql = $"""
            SELECT r.result, j.job_data
            FROM (SELECT 1) AS one
            LEFT JOIN {table} r ON r.id = @id
            LEFT JOIN {tablePrefix}job_details j ON j.sched_name = @sched AND j.job_name = @name AND j.job_group = @group
                AND EXISTS (SELECT 1 FROM {tablePrefix}triggers t WHERE t.sched_name = j.sched_name AND t.job_name = j.job_name AND t.job_group = j.job_group)
            """;
        _firstWriteSql = QuartzResultRows.UpsertSql(table, $"EXISTS (SELECT 1 FROM {tablePrefix}job_details WHERE sched_name = @sched AND job_name = @name AND job_group = @group)");
    }

    /// <summary>The store of the rows (schema set-up, updates of written rows, purge).</summary>
    public PostgreSqlTaskResultStore Inner { get; }

    /// <summary>The Ready result a task's job stands for, from the job data Quartz stored (its serializer writes the map as a JSON object of strings).</summary>
    public static TaskResult FromJobData(byte[] jobData, string alias)
    {
        try
        {
            using var doc = JsonDocument.Parse(jobData);
            var json = doc.RootElement.GetProperty(QuartzTaskMapping.EnvelopeKey).GetString() ?? throw new JsonException($"'{QuartzTaskMapping.EnvelopeKey}' is null.");
            return TaskResult.ForEnqueued(TaskJson.DeserializeEnvelope(json), alias);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TaskPayloadException($"The job data of a Quartz task job of backend '{alias}' holds no readable task envelope: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(id, out var key))
        {
            return null;
        }

        // The row if there is one, else the job: one round trip. Read twice when both are missing, because a task that
        // just finished may have written its row (first read: none) and then lost its job (second read: none).
        for (var read = 0; ; read++)
        {
            var (row, jobData) = await ReadAsync(key, id, cancellationToken).ConfigureAwait(false);
            if (row is not null)
            {
                return TaskJson.DeserializeResult(row);
            }

            if (jobData is not null)
            {
                return FromJobData(jobData, _alias);
            }

            if (read == 1)
            {
                return null;
            }
        }
    }

    /// <inheritdoc />
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => Inner.CreateAsync(results, cancellationToken);

    /// <inheritdoc />
    /// <remarks>From version 0 (the record a job stands for, or a row of an earlier version) the row is inserted, or
    /// replaced if it is still at version 0, and only while the task's job exists; later versions are the store's
    /// compare-and-set.</remarks>
    public async Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        if (expectedVersion != 0)
        {
            return await Inner.TryUpdateAsync(result, expectedVersion, cancellationToken).ConfigureAwait(false);
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("writing a result", async () =>
        {
            await using var cmd = _dataSource.CreateCommand(_firstWriteSql);
            QuartzResultRows.AddUpsert(cmd.Parameters, result, expectedVersion);
            AddJobKey(cmd.Parameters, result.Id);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => Inner.DeleteAsync(ids, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Inner.DisposeAsync();

    /// <summary>Adds <c>@sched</c>, <c>@name</c> and <c>@group</c>: the key of the task's Quartz job.</summary>
    public void AddJobKey(NpgsqlParameterCollection parameters, string id)
    {
        parameters.Add(new NpgsqlParameter<string>("sched", _schedulerName));
        parameters.Add(new NpgsqlParameter<string>("name", id));
        parameters.Add(new NpgsqlParameter<string>("group", QuartzTaskMapping.Group));
    }

    /// <summary>Creates the results table if needed (the store does so at its first use), once.</summary>
    public async ValueTask EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (!_tableReady)
        {
            await Inner.FindAsync(Guid.Empty.ToString(), cancellationToken).ConfigureAwait(false);
            _tableReady = true;
        }
    }

    private async Task<(string? Row, byte[]? JobData)> ReadAsync(Guid key, string id, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("reading a result", async () =>
        {
            await using var cmd = _dataSource.CreateCommand(_findSql);
            cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", key));
            AddJobKey(cmd.Parameters, id);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1));
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> RunAsync<T>(string what, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (QuartzErrors.Translate(_alias, _tablePrefix, what, ex, cancellationToken) is { } typed)
        {
            throw typed;
        }
    }
}
