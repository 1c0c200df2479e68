using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Tasks.Hangfire.Internal;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>The PostgreSQL store's own rows: written only by compare-and-set, the first one expecting version 0.</summary>
public sealed class PostgreSqlResultStoreTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    [Fact]
    public async Task A_row_is_written_by_compare_and_set_and_the_first_expects_version_zero()
    {
        await using var store = NewStore();
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "default", Arguments = "{}", EnqueuedAt = DateTimeOffset.UtcNow };
        var ready = TaskResult.ForEnqueued(envelope, "hf");
        await store.BeforeCreateAsync([ready], CancellationToken.None);
        Assert.Null(await store.FindAsync(ready.Id));

        var running = ready with { Status = TaskResultStatus.Running, Attempts = 1, WorkerIds = ["w1"], Version = 1 };
        Assert.True(await store.TryUpdateAsync(running, 0));
        Assert.False(await store.TryUpdateAsync(running with { WorkerIds = ["w2"] }, 0));
        var done = running with { Status = TaskResultStatus.Succeeded, Version = 2 };
        Assert.False(await store.TryUpdateAsync(done, 0));
        Assert.True(await store.TryUpdateAsync(done, 1));

        var row = await store.FindRowAsync(ready.Id, CancellationToken.None);
        Assert.Equal((TaskResultStatus.Succeeded, 2L, "w1"), (row!.Status, row.Version, row.WorkerIds[0]));

        // Without a job the row is all there is.
        Assert.Equal((TaskResultStatus.Succeeded, 2L), ((await store.FindAsync(ready.Id))!.Status, (await store.FindAsync(ready.Id))!.Version));
        Assert.Null(await store.FindAsync(Guid.NewGuid().ToString()));
        Assert.NotNull(await TestServers.ScalarAsync<DateTime?>(pg.ConnectionString, $"SELECT \"expireat\" FROM \"{pg.Schema}\".\"tasks_result\" WHERE \"id\" = '{ready.Id}'"));
    }

    [Fact]
    public async Task The_task_id_index_is_a_partial_hash_index_on_hangfires_job_table()
    {
        await using var store = NewStore();
        await store.BeforeCreateAsync([], CancellationToken.None);

        var definition = await TestServers.ScalarAsync<string>(pg.ConnectionString, $"SELECT indexdef FROM pg_indexes WHERE schemaname = '{pg.Schema}' AND indexname = 'ix_tasks_job_taskid'");
        Assert.Contains("USING hash (((arguments ->> 1)))", definition, StringComparison.Ordinal);
        Assert.Contains("WHERE (length((arguments ->> 1)) <= 100)", definition, StringComparison.Ordinal);
    }

    private PostgreSqlResultStore NewStore()
    {
        var options = new PostgreSqlStorageOptions { SchemaName = pg.Schema, PrepareSchemaIfNecessary = true };
        return new PostgreSqlResultStore(pg.ConnectionString, pg.Schema, TimeSpan.FromHours(1), TimeProvider.System, "hf", () => _ = new PostgreSqlStorage(new NpgsqlConnectionFactory(pg.ConnectionString, options), options), TimeSpan.FromMilliseconds(200));
    }
}
