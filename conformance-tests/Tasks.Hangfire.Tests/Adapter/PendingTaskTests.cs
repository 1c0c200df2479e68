using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Conformance.ConformanceTasks;
using Tasks.Hangfire.Internal;
using Tasks.Migration;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>ListPending on Hangfire: paging over large backlogs, deferred and retrying tasks, removal, migration; on both storages.</summary>
public sealed class PendingTaskTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    private const string SlowRetry = "hf.slow-retry";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Storages => new() { "InMemory", "PostgreSql" };

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Listing_pages_through_more_than_a_thousand_pending_tasks(string storage)
    {
        // Each test has its own queue prefix, so the tests of this class never see each other's jobs.
        await using var host = new TestHost(o => Configure(storage, o, "paging_"));
        var runAfter = DateTimeOffset.UtcNow.AddHours(1);

        // More than one monitoring page (500) in one Hangfire queue and among scheduled jobs.
        var ready = await host.Queue.With(queue: "bulk").EnqueueManyAsync(Enumerable.Range(0, 700).Select(i => new RecordArgs($"r{i}")));
        var deferred = await host.Queue.With(queue: "bulk", runAfter: runAfter).EnqueueManyAsync(Enumerable.Range(0, 600).Select(i => new RecordArgs($"d{i}")));
        var high = await host.Queue.With(queue: "bulk", priority: 80).EnqueueManyAsync(Enumerable.Range(0, 20).Select(i => new RecordArgs($"h{i}")));
        var other = await host.Queue.With(queue: "other").EnqueueManyAsync(Enumerable.Range(0, 30).Select(i => new RecordArgs($"o{i}")));

        var bulk = await ListAsync(host.Backend, "bulk");
        var all = await ListAsync(host.Backend, null);

        var expectedBulk = ready.Concat(deferred).Concat(high).ToDictionary(r => r.Id);
        Assert.Equal(expectedBulk.Count, bulk.Count);
        Assert.Equal(expectedBulk.Keys.Order(), bulk.Select(e => e.Id).Order());
        Assert.Equal(expectedBulk.Keys.Concat(other.Select(r => r.Id)).Order(), all.Select(e => e.Id).Order());
        foreach (var e in bulk)
        {
            var r = expectedBulk[e.Id];
            Assert.Equal((ConformanceTaskNames.Record, "bulk", r.Priority, r.RunAfter, r.Arguments), (e.TaskName, e.Queue, e.Priority, e.RunAfter, e.Arguments));
            Assert.Equal((1, 1, r.EnqueuedAt), (e.Attempt, e.MaxAttempts, e.EnqueuedAt));
        }

        Assert.All(deferred, d => Assert.Equal(runAfter, Assert.Single(bulk, e => e.Id == d.Id).RunAfter));
        Assert.All(high, h => Assert.Equal(80, Assert.Single(bulk, e => e.Id == h.Id).Priority));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task A_removed_scheduled_task_loses_its_job_and_result_and_never_runs(string storage)
    {
        await using var host = new TestHost(o => Configure(storage, o, "remove_"));

        // The storage first (its set-up can take seconds on a loaded machine), then a run-after with room to spare: CI once
        // saw the job already Enqueued at the first check below when the run-after was 2 s and counted from before it.
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();
        var removed = await host.Queue.Delay(TimeSpan.FromSeconds(5)).EnqueueAsync(new RecordArgs("removed"));
        var kept = await host.Queue.Delay(TimeSpan.FromSeconds(5)).EnqueueAsync(new RecordArgs("kept"));
        Assert.Equal(ScheduledState.StateName, monitoring.JobDetails(removed.EngineId).History[0].StateName);
        Assert.Contains(await ListAsync(host.Backend, "default"), e => e.Id == removed.Id);

        Assert.True(await host.Backend.RemovePendingAsync(removed.Id));

        var last = monitoring.JobDetails(removed.EngineId).History[0];
        Assert.Equal(DeletedState.StateName, last.StateName);
        Assert.Equal(HangfirePendingTasks.RemovedReason, last.Reason);
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(removed.Id));
        Assert.False(await host.Backend.RemovePendingAsync(removed.Id), "a removed task is gone");
        var pending = await ListAsync(host.Backend, "default");
        Assert.DoesNotContain(pending, e => e.Id == removed.Id);
        Assert.Contains(pending, e => e.Id == kept.Id);

        // Past the run-after time, with a worker: the kept task runs, the removed one does not.
        await host.StartWorkerAsync();
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(kept.Id, Wait)).Status);
        await Task.Delay(500);
        Assert.Empty(host.Probe.ExecutionsOf(removed.Id));
        Assert.Single(host.Probe.ExecutionsOf(kept.Id));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task A_task_waiting_for_a_retry_is_listed_with_its_next_attempt_and_can_be_removed(string storage)
    {
        await using var host = new TestHost(
            o => Configure(storage, o, "retry_"),
            t => t.AddTask<FailArgs, int, FailHandler>(SlowRetry, o => { o.MaxAttempts = 3; o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMinutes(10)); }));
        var worker = await host.StartWorkerAsync();
        var r = await host.Queue.EnqueueAsync(SlowRetry, new FailArgs("later", 3));
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();

        // The first attempt fails; the same job then waits in Scheduled for the second.
        var deadline = DateTime.UtcNow + Wait;
        TaskResult waiting;
        while (!((waiting = await host.Queue.GetResultAsync(r.Id)) is { Status: TaskResultStatus.Ready, Attempts: 1 } &&
                 monitoring.JobDetails(r.EngineId).History[0].StateName == ScheduledState.StateName))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the first attempt did not end in a scheduled retry: {waiting.Status}, {waiting.Attempts} attempt(s)");
            await Task.Delay(50);
        }

        await worker.StopAsync();
        var listed = Assert.Single(await ListAsync(host.Backend, "default"), e => e.Id == r.Id);
        Assert.Equal((SlowRetry, 2, 3, waiting.RunAfter), (listed.TaskName, listed.Attempt, listed.MaxAttempts, listed.RunAfter));
        Assert.True(listed.RunAfter > DateTimeOffset.UtcNow.AddMinutes(9));

        Assert.True(await host.Backend.RemovePendingAsync(r.Id));
        Assert.Equal(DeletedState.StateName, monitoring.JobDetails(r.EngineId).History[0].StateName);
        Assert.DoesNotContain(await ListAsync(host.Backend, null), e => e.Id == r.Id);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task A_running_task_is_not_pending_and_cannot_be_removed(string storage)
    {
        await using var host = new TestHost(o => Configure(storage, o, "running_"));
        await host.StartWorkerAsync();
        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(2_000));
        var deadline = DateTime.UtcNow + Wait;
        while ((await host.Queue.GetResultAsync(r.Id)).Status != TaskResultStatus.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, "the task did not start");
            await Task.Delay(50);
        }

        Assert.DoesNotContain(await ListAsync(host.Backend, null), e => e.Id == r.Id);
        Assert.False(await host.Backend.RemovePendingAsync(r.Id));
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(r.Id, Wait)).Status);
    }

    [Theory]
    [InlineData("InMemory", 10_000)]
    [InlineData("PostgreSql", 400)]
    public async Task The_migrator_moves_a_backlog_to_another_backend_and_nothing_stays_behind(string storage, int count)
    {
        await using var host = new TestHost(o => Configure(storage, o, "migrate_"), t => t.AddInMemoryBackend("target"));
        var enqueued = new List<TaskResult>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(1_000))
        {
            enqueued.AddRange(await host.Queue.With(queue: chunk[0] % 2000 == 0 ? "work" : "more").EnqueueManyAsync(chunk.Select(i => new RecordArgs($"m{i}"))));
        }

        var migrator = host.Services.GetRequiredService<TaskMigrator>();
        var summary = await migrator.MigrateAsync(TestHost.Alias, "target");

        Assert.Equal((count, count, 0, 0), (summary.Found, summary.Moved, summary.StartedMeanwhile, summary.Refused.Count));
        Assert.Empty(await ListAsync(host.Backend, null));
        var target = (IPendingTaskBackend)host.Services.GetRequiredService<ITaskBackendProvider>().Get("target");
        var moved = await ListAsync(target, null);
        Assert.Equal(enqueued.Select(r => (r.Id, r.Queue, r.Arguments)).Order(), moved.Select(e => (e.Id, e.Queue, e.Arguments)).Order());
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();
        Assert.All(enqueued.Take(50), r => Assert.Equal(DeletedState.StateName, monitoring.JobDetails(r.EngineId).History[0].StateName));
    }

    private static async Task<List<TaskEnvelope>> ListAsync(IPendingTaskBackend backend, string? queue)
    {
        var list = new List<TaskEnvelope>();
        await foreach (var e in backend.ListPendingAsync(queue))
        {
            list.Add(e);
        }

        return list;
    }

    private void Configure(string storage, HangfireTaskBackendOptions o, string prefix)
    {
        if (storage == "PostgreSql")
        {
            pg.Configure(o);
        }
        else
        {
            TestHost.InMemory(o);
        }

        o.QueuePrefix = prefix;
    }
}
