using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tasks.MassTransit.RabbitMq;
using Tasks.Migration;
using Tasks.PostgreSql;
using Xunit.Abstractions;

namespace Tasks.MassTransit.Tests;

/// <summary>
/// ListPending on RabbitMQ with results in PostgreSQL: many tasks in keyset pages, deferred and retry-waiting tasks, removal
/// (the message left in RabbitMQ is consumed without running), refusals, and migration out.
/// </summary>
public sealed class RabbitMqPendingTests(ITestOutputHelper output) : RabbitMqAdapterTestBase
{
    private const string SlowRetry = "adapter.slow-retry";

    protected override string[] Queues => ["default", "pend_a", "pend_b"];

    private AdapterHost PendingHost() => Host(UsePostgresResults, tasks => tasks
        .AddTask<TestArgs, string, TestHandler>(SlowRetry, o => { o.MaxAttempts = 3; o.Backoff = RetryBackoff.Fixed(TimeSpan.FromSeconds(3)); })
        .AddInMemoryBackend("mem"));

    private static IPendingTaskBackend Pending(AdapterHost host) => (IPendingTaskBackend)host.Backend();

    [Fact]
    public async Task Over_a_thousand_pending_tasks_are_listed_in_pages_migrated_and_their_messages_skipped()
    {
        var host = PendingHost();
        var backend = Pending(host);
        Assert.True(backend.Capabilities.HasFlag(TaskBackendCapabilities.ListPending));

        // 2,500 tasks (2.5 pages) in two queues, some deferred briefly, plus another alias's results in the same table.
        var enqueued = new List<TaskResult>();
        var soon = DateTimeOffset.UtcNow.AddSeconds(2);
        for (var round = 0; round < 5; round++)
        {
            var q = host.Queue.With(queue: round % 2 == 0 ? "pend_a" : "pend_b", priority: (round * 10) - 20, runAfter: round == 4 ? soon : null);
            enqueued.AddRange(await q.EnqueueManyAsync(TestHandler.Name, Enumerable.Range(0, 500).Select(i => new TestArgs($"{round}/{i} ✓"))));
        }

        var store = (PostgreSqlTaskResultStore)((MassTransitTaskBackend)host.Backend()).Results;
        var foreign = TaskResult.ForEnqueued(new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = TestHandler.Name, Queue = "pend_a", Arguments = "{}", EnqueuedAt = DateTimeOffset.UtcNow }, "another-backend");
        await store.CreateAsync([foreign]);

        var watch = Stopwatch.StartNew();
        var all = await ListAsync(backend, null);
        output.WriteLine($"listed {all.Count} pending tasks in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(2_500, all.Count);
        Assert.Equal(enqueued.Select(r => r.Id).Order(), all.Select(e => e.Id).Order());
        Assert.Equal(all.OrderBy(e => e.Queue, StringComparer.Ordinal).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Id), all.Select(e => e.Id));
        foreach (var r in enqueued)
        {
            var e = all.Single(x => x.Id == r.Id);
            Assert.Equal((r.TaskName, r.Queue, r.Priority, r.RunAfter, r.Arguments, r.EnqueuedAt, r.MaxAttempts, 1), (e.TaskName, e.Queue, e.Priority, e.RunAfter, e.Arguments, e.EnqueuedAt, e.MaxAttempts, e.Attempt));
        }

        Assert.Equal(1_500, (await ListAsync(backend, "pend_a")).Count);
        Assert.Equal(1_000, (await ListAsync(backend, "pend_b")).Count);
        Assert.False(await backend.RemovePendingAsync(foreign.Id), "another alias's task is not this backend's to remove");

        watch.Restart();
        var summary = await host.Services.GetRequiredService<TaskMigrator>().MigrateAsync("main", "mem");
        output.WriteLine($"migrated {summary.Moved} tasks to memory in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(2_500, summary.Moved);
        Assert.Equal(0, summary.StartedMeanwhile);
        Assert.Empty(await ListAsync(backend, null));
        Assert.Equal(2_500, (await ListAsync((IPendingTaskBackend)host.Backend("mem"), null)).Count);
        var removed = await host.Backend().GetResultAsync(enqueued[0].Id);
        Assert.Equal(TaskResultStatus.Cancelled, removed.Status);
        Assert.Equal(MassTransitPendingTasks.RemovedMarker, Assert.Single(removed.Errors).ExceptionType);

        // The 2,500 messages are still in RabbitMQ: a worker of the old backend drains them without running one.
        await host.StartWorkerAsync(configure: o => { o.Queues = ["pend_a", "pend_b"]; o.Concurrency = 8; });
        await WaitUntilAsync(async () => await MessageCountAsync($"{Prefix}-pend_a") == 0 && await MessageCountAsync($"{Prefix}-pend_b") == 0 && DateTimeOffset.UtcNow > soon.AddSeconds(1) && await DelayQueuesEmptyAsync(), TimeSpan.FromSeconds(60), "the removed tasks' messages are consumed");
        await StopWorkersAsync(host);
        Assert.Equal(0u, await MessageCountAsync($"{Prefix}-pend_a"));
        Assert.Equal(0u, await MessageCountAsync($"{Prefix}-pend_b"));
        Assert.All(enqueued, r => Assert.Empty(host.Runs.Of(r.Id)));
        Assert.Equal(removed.Version, (await host.Backend().GetResultAsync(enqueued[0].Id)).Version);
    }

    [Fact]
    public async Task A_removed_task_s_message_is_acknowledged_without_running()
    {
        var host = PendingHost();
        var backend = Pending(host);
        var before = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("before"));
        var removed = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("removed"));
        var after = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("after"));

        Assert.True(await backend.RemovePendingAsync(removed.Id));
        Assert.False(await backend.RemovePendingAsync(removed.Id), "removed once");
        var marked = await host.Backend().GetResultAsync(removed.Id);
        Assert.Equal(TaskResultStatus.Cancelled, marked.Status);
        Assert.NotNull(marked.FinishedAt);
        var marker = Assert.Single(marked.Errors);
        Assert.Equal((MassTransitPendingTasks.RemovedMarker, 1), (marker.ExceptionType, marker.Attempt));
        Assert.Equal(3u, await MessageCountAsync(TaskQueue)); // RabbitMQ still holds its message

        await host.StartWorkerAsync(configure: o => o.Concurrency = 1);
        await host.Queue.WaitAsync(before.Id, TimeSpan.FromSeconds(20));
        await host.Queue.WaitAsync(after.Id, TimeSpan.FromSeconds(20));
        await StopWorkersAsync(host);

        // Stopping the worker would have put back an unacknowledged message: the queue is empty, so it was acknowledged.
        Assert.Equal(0u, await MessageCountAsync(TaskQueue));
        Assert.Equal(0u, await MessageCountAsync(TaskQueue + "_error") ?? 0);
        Assert.Empty(host.Runs.Of(removed.Id));
        Assert.Single(host.Runs.Of(after.Id));
        Assert.Equal(TaskJson.Serialize(marked), TaskJson.Serialize(await host.Backend().GetResultAsync(removed.Id))); // untouched by the skip
    }

    [Fact]
    public async Task A_removed_deferred_task_is_skipped_when_it_falls_due()
    {
        var host = PendingHost();
        var backend = Pending(host);
        var runAfter = DateTimeOffset.UtcNow.AddSeconds(2);
        var deferred = await host.Queue.With(runAfter: runAfter).EnqueueAsync(TestHandler.Name, new TestArgs("deferred"));
        var kept = await host.Queue.With(runAfter: runAfter).EnqueueAsync(TestHandler.Name, new TestArgs("kept"));
        await host.StartWorkerAsync();

        var listed = Assert.Single(await ListAsync(backend, "default"), e => e.Id == deferred.Id);
        Assert.Equal(runAfter, listed.RunAfter);
        Assert.True(await backend.RemovePendingAsync(deferred.Id));
        Assert.Equal([kept.Id], (await ListAsync(backend, null)).Select(e => e.Id));

        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(kept.Id, TimeSpan.FromSeconds(20))).Status);
        await WaitUntilAsync(async () => await MessageCountAsync(TaskQueue) == 0 && await DelayQueuesEmptyAsync(), TimeSpan.FromSeconds(10), "the deferred message arrived");
        await StopWorkersAsync(host);

        Assert.Equal(0u, await MessageCountAsync(TaskQueue));
        Assert.True(await DelayQueuesEmptyAsync());
        Assert.Empty(host.Runs.Of(deferred.Id));
        Assert.Equal(TaskResultStatus.Cancelled, (await host.Backend().GetResultAsync(deferred.Id)).Status);
    }

    [Fact]
    public async Task A_task_waiting_for_its_retry_is_listed_with_its_next_attempt_and_can_be_removed()
    {
        var host = PendingHost();
        var backend = Pending(host);
        await host.StartWorkerAsync();
        var task = await host.Queue.EnqueueAsync(SlowRetry, new TestArgs("retry", Fail: true));
        await WaitUntilAsync(async () => (await host.Backend().GetResultAsync(task.Id)) is { Status: TaskResultStatus.Ready, Attempts: 1 }, TimeSpan.FromSeconds(10), "the first attempt failed");
        var waiting = await host.Backend().GetResultAsync(task.Id);

        var listed = Assert.Single(await ListAsync(backend, null));
        Assert.Equal((task.Id, 2, 3, waiting.RunAfter), (listed.Id, listed.Attempt, listed.MaxAttempts, listed.RunAfter));
        Assert.True(await backend.RemovePendingAsync(task.Id));

        // The retry's message waits 3 s in the delay topology, then arrives and is skipped.
        await Task.Delay(waiting.RunAfter!.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () => await MessageCountAsync(TaskQueue) == 0 && await DelayQueuesEmptyAsync(), TimeSpan.FromSeconds(10), "the retry message arrived");
        await StopWorkersAsync(host);
        Assert.Equal(0u, await MessageCountAsync(TaskQueue));
        Assert.Single(host.Runs.Of(task.Id));
        var final = await host.Backend().GetResultAsync(task.Id);
        Assert.Equal(TaskResultStatus.Cancelled, final.Status);
        Assert.Equal([(1, typeof(InvalidOperationException).FullName!), (2, MassTransitPendingTasks.RemovedMarker)], final.Errors.Select(e => (e.Attempt, e.ExceptionType)));
    }

    [Fact]
    public async Task Running_finished_and_unknown_tasks_are_not_removed()
    {
        var host = PendingHost();
        var backend = Pending(host);
        await host.StartWorkerAsync();
        var finished = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("finished"));
        await host.Queue.WaitAsync(finished.Id, TimeSpan.FromSeconds(20));
        var running = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("running", SleepMs: 1_500));
        await WaitUntilAsync(async () => (await host.Backend().GetResultAsync(running.Id)).Status == TaskResultStatus.Running, TimeSpan.FromSeconds(10), "the task started");

        Assert.Empty(await ListAsync(backend, null));
        Assert.False(await backend.RemovePendingAsync(running.Id));
        Assert.False(await backend.RemovePendingAsync(finished.Id));
        Assert.False(await backend.RemovePendingAsync(Guid.NewGuid().ToString()));
        Assert.False(await backend.RemovePendingAsync("not-a-task-id"));
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(running.Id, TimeSpan.FromSeconds(20))).Status);
    }

    private async Task<bool> DelayQueuesEmptyAsync()
    {
        var topology = new RabbitMqTopology(Prefix);
        for (var level = 0; level < RabbitMqTopology.DelayLevels; level++)
        {
            if ((await MessageCountAsync(topology.DelayName(level)) ?? 0) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task StopWorkersAsync(AdapterHost host)
    {
        foreach (var w in host.Workers)
        {
            await w.StopAsync();
        }
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
}
