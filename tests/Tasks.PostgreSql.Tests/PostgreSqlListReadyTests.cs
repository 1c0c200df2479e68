using Npgsql;
using Xunit;

namespace Tasks.PostgreSql.Tests;

/// <summary><see cref="PostgreSqlTaskResultStore.ListReadyAsync"/>: keyset pages of the results that have not started.</summary>
public sealed class PostgreSqlListReadyTests : IAsyncLifetime
{
    private readonly string _schema = $"tasks_ready_{Guid.NewGuid():N}"[..24];
    private PostgreSqlTaskResultStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = _schema });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await using (var ds = NpgsqlDataSource.Create(PostgresServer.ConnectionString))
        await using (var cmd = ds.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await _store.DisposeAsync();
    }

    private static TaskResult NewResult(string queue, int i) => TaskResult.ForEnqueued(new TaskEnvelope
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = "store.ready",
        Queue = queue,
        Priority = i % 7,
        RunAfter = i % 5 == 0 ? DateTimeOffset.UtcNow.AddHours(1) : null,
        Arguments = $"{{\"i\":{i},\"text\":\"Zoë\"}}",
        EnqueuedAt = DateTimeOffset.UtcNow,
        MaxAttempts = 3,
    }, "pg");

    private async Task<List<TaskResult>> ListAllAsync(string? queue, int pageSize, Func<int, Task>? betweenPages = null)
    {
        var all = new List<TaskResult>();
        TaskResult? after = null;
        for (var page = 0; ; page++)
        {
            var rows = await _store.ListReadyAsync(queue, after, pageSize);
            Assert.InRange(rows.Count, 0, pageSize);
            all.AddRange(rows);
            if (rows.Count < pageSize)
            {
                return all;
            }

            after = rows[^1];
            if (betweenPages is not null)
            {
                await betweenPages(page);
            }
        }
    }

    private static IEnumerable<TaskResult> InKeyOrder(IEnumerable<TaskResult> results) =>
        results.OrderBy(r => r.Queue, StringComparer.Ordinal).ThenBy(r => Guid.Parse(r.Id).ToString("N"), StringComparer.Ordinal);

    [Fact]
    public async Task Pages_hold_every_ready_result_once_in_queue_then_id_order_and_nothing_else()
    {
        var ready = Enumerable.Range(0, 700).Select(i => NewResult("alpha", i)).Concat(Enumerable.Range(0, 500).Select(i => NewResult("beta", i))).ToList();
        var others = Enumerable.Range(0, 60).Select(i => NewResult(i % 2 == 0 ? "alpha" : "beta", i)).ToList();
        await _store.CreateAsync([.. ready, .. others]);
        var statuses = new[] { TaskResultStatus.Running, TaskResultStatus.Succeeded, TaskResultStatus.Failed, TaskResultStatus.Cancelled };
        for (var i = 0; i < others.Count; i++)
        {
            Assert.True(await _store.TryUpdateAsync(others[i] with { Status = statuses[i % 4], Version = 1 }, 0));
        }

        foreach (var pageSize in (int[])[1_000, 7])
        {
            var all = await ListAllAsync(null, pageSize);
            Assert.Equal(InKeyOrder(ready).Select(r => r.Id), all.Select(r => r.Id));
        }

        var beta = await ListAllAsync("beta", 100);
        Assert.Equal(InKeyOrder(ready.Where(r => r.Queue == "beta")).Select(r => r.Id), beta.Select(r => r.Id));
        Assert.Empty(await _store.ListReadyAsync("gamma", null, 10));

        // Whole results, as stored.
        var sample = ready[5];
        Assert.Equal(TaskJson.Serialize(sample), TaskJson.Serialize(beta.Concat(await ListAllAsync("alpha", 1_000)).Single(r => r.Id == sample.Id)));
    }

    [Fact]
    public async Task A_result_that_stays_ready_is_listed_once_while_others_start_and_retry_between_pages()
    {
        var results = Enumerable.Range(0, 300).Select(i => NewResult(i % 3 == 0 ? "q1" : "q2", i)).ToList();
        await _store.CreateAsync(results);
        var ordered = InKeyOrder(results).ToList();
        var changed = new HashSet<string>();
        var started = new List<string>();

        var listed = await ListAllAsync(null, 40, async page =>
        {
            // Between pages: one row ahead of the cursor starts, one behind it goes back to Ready (a retry).
            var aheadAt = ((page + 1) * 40) + 20; // beyond the cursor even after earlier rows left
            if (aheadAt < ordered.Count)
            {
                var ahead = ordered[aheadAt];
                changed.Add(ahead.Id);
                started.Add(ahead.Id);
                Assert.True(await _store.TryUpdateAsync(ahead with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 }, 0));
            }

            var behind = ordered[page * 40];
            changed.Add(behind.Id);
            Assert.True(await _store.TryUpdateAsync(behind with { Status = TaskResultStatus.Ready, Attempts = 1, Version = 1 }, 0));
        });

        var stayedReady = ordered.Where(r => !changed.Contains(r.Id)).Select(r => r.Id).ToList();
        Assert.Equal(stayedReady, listed.Select(r => r.Id).Where(id => !changed.Contains(id)));
        Assert.Equal(listed.Count, listed.Select(r => r.Id).Distinct().Count());
        Assert.Equal(6, started.Count);
        Assert.DoesNotContain(listed, r => started.Contains(r.Id));
    }

    [Theory]
    [InlineData("(queue, id) > ('q1', '00000000-0000-0000-0000-000000000000')")]
    [InlineData("queue = 'q1' AND id > '00000000-0000-0000-0000-000000000000'")]
    [InlineData("TRUE")]
    public async Task Every_page_shape_can_be_read_in_the_order_of_the_ready_index(string where)
    {
        // Mostly finished rows, as in a long-lived table: the listing must not read them.
        await _store.CreateAsync(Enumerable.Range(0, 4_000).Select(i => NewResult(i % 2 == 0 ? "q1" : "q2", i)).ToList());
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using (var finish = new NpgsqlCommand($"UPDATE \"{_schema}\".task_results SET status = 2, finished_at = now() WHERE ctid IN (SELECT ctid FROM \"{_schema}\".task_results LIMIT 3000); ANALYZE \"{_schema}\".task_results", connection))
        {
            await finish.ExecuteNonQueryAsync();
        }

        // On a table this small the planner rightly prefers to sort the few Ready rows; on a large one (measured: 100,000
        // Ready rows) it walks the index. Forbidding the sort shows the index gives that order with no other work.
        await using (var noSort = new NpgsqlCommand("SET enable_sort = off", connection))
        {
            await noSort.ExecuteNonQueryAsync();
        }

        // The statements ListReadyAsync sends (a later page over every queue, a later page of one queue, a first page).
        await using var explain = new NpgsqlCommand($"EXPLAIN SELECT result FROM \"{_schema}\".task_results WHERE status = 0 AND {where} ORDER BY queue, id LIMIT 1000", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join("\n", plan);
        Assert.Contains("Index Scan using task_results_ready", text);
        Assert.DoesNotContain("Sort", text);
        Assert.Equal(1_000, (await ListAllAsync(null, 300)).Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task Limit_must_be_sensible(int limit) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.ListReadyAsync(null, null, limit));

    [Fact]
    public void The_schema_declares_the_ready_index_and_no_other_index_of_ready_rows()
    {
        Assert.Contains("task_results_ready\" ON", _store.CreateSchemaSql);

        // (queue, status) WHERE status = 0, made by earlier versions, served no query the ready index does not, and
        // let the planner read Ready rows through it with an incremental sort: it is dropped.
        Assert.DoesNotContain("task_results_pending\" ON", _store.CreateSchemaSql);
        Assert.Contains("DROP INDEX IF EXISTS", _store.CreateSchemaSql);
    }

    [Fact]
    public async Task A_table_made_by_an_earlier_version_loses_its_redundant_index()
    {
        await using (var ds = NpgsqlDataSource.Create(PostgresServer.ConnectionString))
        await using (var old = ds.CreateCommand($"""
            CREATE SCHEMA "{_schema}";
            CREATE TABLE "{_schema}".task_results (id uuid PRIMARY KEY, version bigint NOT NULL, status smallint NOT NULL, task_name text NOT NULL, queue text NOT NULL, finished_at timestamptz NULL, result text NOT NULL);
            CREATE INDEX task_results_pending ON "{_schema}".task_results (queue, status) WHERE status = 0;
            """))
        {
            await old.ExecuteNonQueryAsync();
        }

        await _store.CreateAsync([NewResult("q1", 1)]);

        await using var ds2 = NpgsqlDataSource.Create(PostgresServer.ConnectionString);
        await using var indexes = ds2.CreateCommand($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{_schema}'");
        Assert.Equal("task_results_finished,task_results_pkey,task_results_ready", (string?)await indexes.ExecuteScalarAsync());
        Assert.Single(await ListAllAsync(null, 10));
    }
}
