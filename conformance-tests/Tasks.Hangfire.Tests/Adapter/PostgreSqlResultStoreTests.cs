using Tasks.Hangfire.Internal;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>The PostgreSQL result table's enqueue write: one statement after the jobs exist, never undoing a fast worker's progress.</summary>
public sealed class PostgreSqlResultStoreTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    [Fact]
    public async Task The_enqueue_write_after_the_job_keeps_what_a_faster_worker_recorded_and_adds_the_job_id()
    {
        await using var store = new PostgreSqlResultStore(pg.ConnectionString, pg.Schema, TimeSpan.FromHours(1), TimeProvider.System, "hf");
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "default", Arguments = "{}", EnqueuedAt = DateTimeOffset.UtcNow };
        var ready = TaskResult.ForEnqueued(envelope, "hf");
        await store.BeforeCreateAsync([ready], CancellationToken.None);
        Assert.Null(await store.FindAsync(ready.Id));

        // The worker got the job first: it created the result from the envelope and started the task.
        await store.CreateAsync([ready]);
        var running = ready with { Status = TaskResultStatus.Running, Attempts = 1, WorkerIds = ["w1"], Version = 1 };
        Assert.True(await store.TryUpdateAsync(running, 0));

        await store.AfterCreateAsync([ready with { EngineId = "42" }], CancellationToken.None);

        var stored = await store.FindAsync(ready.Id);
        Assert.NotNull(stored);
        Assert.Equal((TaskResultStatus.Running, 1L, 1, "42"), (stored.Status, stored.Version, stored.Attempts, stored.EngineId));
    }

    [Fact]
    public async Task The_enqueue_write_records_new_results_with_their_job_ids_in_one_batch()
    {
        await using var store = new PostgreSqlResultStore(pg.ConnectionString, pg.Schema, TimeSpan.FromHours(1), TimeProvider.System, "hf");
        var results = Enumerable.Range(0, 3)
            .Select(i => TaskResult.ForEnqueued(new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "default", Arguments = $"{{\"i\":{i}}}" }, "hf") with { EngineId = $"{100 + i}" })
            .ToArray();

        await store.AfterCreateAsync(results, CancellationToken.None);

        var found = await store.FindManyAsync(results.Select(r => r.Id).Append(Guid.NewGuid().ToString()).ToArray(), CancellationToken.None);
        Assert.Equal(3, found.Count);
        Assert.All(results, r => Assert.Equal((TaskResultStatus.Ready, 0L, r.EngineId, r.Arguments), (found[r.Id].Status, found[r.Id].Version, found[r.Id].EngineId, found[r.Id].Arguments)));
    }
}
