using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Tasks.Migration;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.Quartz.Tests;

/// <summary>ListPending on Quartz: many tasks, run order, deferred and retry-waiting tasks, removal, and migration out.</summary>
public sealed class QuartzPendingTests(QuartzAdoFixture fixture, ITestOutputHelper output) : IClassFixture<QuartzAdoFixture>, IAsyncLifetime
{
    /// <summary>A task whose retry waits 10 minutes.</summary>
    internal const string SlowRetry = "quartz.test.slow-retry";

    public async Task InitializeAsync()
    {
        fixture.Probe.Clear();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Over_a_thousand_pending_tasks_are_listed_in_run_order_and_migrate_to_another_backend()
    {
        await using var provider = BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var quartz = (IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz");

        // 1,200 tasks in bulk calls: priorities 1, 0, -1 interleaved in time, two queues.
        var enqueued = new List<TaskResult>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var priority in (int[])[0, 1, -1])
            {
                var q = priority == -1 ? "pending_b" : "pending_a";
                enqueued.AddRange(await queue.With(queue: q, priority: priority).EnqueueManyAsync(Enumerable.Range(0, 200).Select(i => new RecordArgs($"{round}/{priority}/{i}"))));
            }
        }

        var watch = Stopwatch.StartNew();
        var all = await ListAsync(quartz, null);
        output.WriteLine($"listed {all.Count} pending tasks in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(1_200, all.Count);
        Assert.Equal(enqueued.Select(r => r.Id).Order(), all.Select(e => e.Id).Order());

        // Run order: highest priority first, FIFO within a priority.
        var expected = enqueued.OrderByDescending(r => r.Priority).Select(r => r.Id);
        Assert.Equal(expected, all.Select(e => e.Id));
        var first = enqueued[0];
        var listed = all.Single(e => e.Id == first.Id);
        Assert.Equal((first.TaskName, first.Queue, first.Priority, first.Arguments, first.EnqueuedAt, 1, first.MaxAttempts), (listed.TaskName, listed.Queue, listed.Priority, listed.Arguments, listed.EnqueuedAt, listed.Attempt, listed.MaxAttempts));
        Assert.Equal(800, (await ListAsync(quartz, "pending_a")).Count);
        Assert.All(await ListAsync(quartz, "pending_b"), e => Assert.Equal(-1, e.Priority));

        watch.Restart();
        var summary = await provider.GetRequiredService<TaskMigrator>().MigrateAsync("quartz", "mem");
        output.WriteLine($"migrated {summary.Moved} tasks in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(1_200, summary.Moved);
        Assert.Equal(0, summary.StartedMeanwhile);
        Assert.Empty(await ListAsync(quartz, null));
        Assert.Equal(0L, await fixture.CountRowsAsync("job_details"));
        Assert.Equal(0L, await fixture.CountRowsAsync("triggers"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => quartz.GetResultAsync(first.Id));

        var mem = (IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("mem");
        var moved = await ListAsync(mem, null);
        Assert.Equal(1_200, moved.Count);
        Assert.Equal(first.Arguments, moved.Single(e => e.Id == first.Id).Arguments);
    }

    [Fact]
    public async Task A_deferred_task_can_be_removed_and_never_runs()
    {
        await using var provider = BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var quartz = (IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz");
        var runAfter = DateTimeOffset.UtcNow.AddSeconds(2);
        var deferred = await queue.With(runAfter: runAfter).EnqueueAsync(new RecordArgs("deferred"));
        var kept = await queue.With(runAfter: runAfter).EnqueueAsync(new RecordArgs("kept"));

        var listed = Assert.Single(await ListAsync(quartz, null), e => e.Id == deferred.Id);
        Assert.Equal(runAfter, listed.RunAfter);
        Assert.True(await quartz.RemovePendingAsync(deferred.Id));
        Assert.False(await quartz.RemovePendingAsync(deferred.Id), "a removed task is gone");
        await Assert.ThrowsAsync<TaskNotFoundException>(() => quartz.GetResultAsync(deferred.Id));
        Assert.Equal(0L, await fixture.CountRowsAsync("job_details", deferred.Id));
        Assert.Equal([kept.Id], (await ListAsync(quartz, null)).Select(e => e.Id));

        await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "pending-w1" });
        await worker.StartAsync();
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(kept.Id, TimeSpan.FromSeconds(30))).Status);
        await Task.Delay(500);
        Assert.Empty(fixture.Probe.ExecutionsOf(deferred.Id));
    }

    [Fact]
    public async Task A_task_waiting_for_a_retry_is_listed_with_its_next_attempt_and_can_be_removed()
    {
        await using var provider = BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var quartz = (IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz");
        var failing = await queue.EnqueueAsync(SlowRetry, new FailArgs("first attempt fails", 1));
        await using (var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "pending-w2" }))
        {
            await worker.StartAsync();
            await Poll.UntilAsync(async () => await quartz.GetResultAsync(failing.Id) is { Status: TaskResultStatus.Ready, Errors.Count: 1 }, "the first attempt failed");
        }

        var waiting = await quartz.GetResultAsync(failing.Id);
        var listed = Assert.Single(await ListAsync(quartz, null));
        Assert.Equal(failing.Id, listed.Id);
        Assert.Equal(2, listed.Attempt);
        Assert.Equal(waiting.RunAfter, listed.RunAfter);
        Assert.True(listed.RunAfter > DateTimeOffset.UtcNow.AddMinutes(5), "the retry waits for its backoff");

        Assert.True(await quartz.RemovePendingAsync(failing.Id));
        Assert.Empty(await ListAsync(quartz, null));
        Assert.Equal(0L, await fixture.CountRowsAsync("triggers"));
    }

    [Fact]
    public async Task A_firing_that_finds_neither_its_result_nor_its_job_skips_the_task()
    {
        await using var backend = new QuartzTaskBackend("ram", new QuartzTaskBackendOptions());
        var scheduler = await backend.GetDispatchSchedulerAsync(CancellationToken.None);
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "x", Queue = "default", Arguments = "{}", EnqueuedAt = DateTimeOffset.UtcNow };
        var store = new FiringResults(new Tasks.Backends.InMemoryTaskResultStore(), scheduler, envelope, "ram");

        // Removed: job and result gone.
        Assert.Equal(TaskResultStatus.Cancelled, (await store.FindAsync(envelope.Id))?.Status);

        // Job still there, result missing (e.g. expired): the pipeline's own rule applies (it runs the task).
        await scheduler.ScheduleJob(QuartzTaskMapping.Job(envelope, TaskJson.Serialize(envelope), durable: false), QuartzTaskMapping.FirstTrigger(envelope, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Null(await store.FindAsync(envelope.Id));
    }

    [Fact]
    public async Task Ram_lists_and_removes_over_a_thousand_pending_tasks()
    {
        await using var backend = new QuartzTaskBackend("ram", new QuartzTaskBackendOptions());
        var now = DateTimeOffset.UtcNow;
        var envelopes = Enumerable.Range(0, 1_500).Select(i => new TaskEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            TaskName = "x",
            Queue = i % 3 == 0 ? "ram_b" : "ram_a",
            Priority = i % 2,
            RunAfter = i == 7 ? now.AddMinutes(10) : null,
            Arguments = $"{{\"i\":{i}}}",
            EnqueuedAt = now,
        }).ToList();
        await backend.EnqueueManyAsync(envelopes);

        var all = await ListAsync(backend, null);
        Assert.Equal(1_500, all.Count);
        Assert.Equal(1_000, (await ListAsync(backend, "ram_a")).Count);
        Assert.Equal(envelopes[7].Id, all[^1].Id); // the deferred one runs last
        Assert.Equal(envelopes.Where(e => e.RunAfter is null).OrderByDescending(e => e.Priority).Select(e => e.Id), all.Take(1_499).Select(e => e.Id));

        Assert.True(await backend.RemovePendingAsync(envelopes[7].Id));
        foreach (var e in envelopes.Take(500))
        {
            Assert.Equal(e.Id != envelopes[7].Id, await backend.RemovePendingAsync(e.Id));
        }

        Assert.Equal(1_000, (await ListAsync(backend, null)).Count);
        await Assert.ThrowsAsync<TaskNotFoundException>(() => backend.GetResultAsync(envelopes[7].Id));
    }

    [Fact]
    public async Task Pending_tasks_are_listed_right_after_a_bulk_enqueue_before_the_tables_have_statistics()
    {
        // A migration lists right after the tasks were enqueued. Fresh tables that autovacuum never analyzes stand for
        // that moment; without statistics PostgreSQL guessed one job and joined by a nested loop over all of them
        // (quadratic: 35 s for 10,000 tasks), so a short command timeout makes such a plan fail the listing.
        var settings = QuartzTestDatabase.NewSettings();
        await QuartzSchema.EnsureCreatedAsync(fixture.DataSource, settings.TablePrefix);
        try
        {
            await using (var conn = await fixture.DataSource.OpenConnectionAsync())
            {
                foreach (var table in (string[])["triggers", "simple_triggers", "job_details"])
                {
                    await using var off = new NpgsqlCommand($"ALTER TABLE {settings.TablePrefix}{table} SET (autovacuum_enabled = false)", conn);
                    await off.ExecuteNonQueryAsync();
                }
            }

            var services = new ServiceCollection();
            services.AddSingleton(fixture.Probe);
            services.AddTasks(t => t
                .AddConformanceTasks()
                .AddQuartzBackend("fresh", o =>
                {
                    settings.Apply(o);
                    o.ConnectionString = QuartzTestDatabase.ConnectionString + ";Command Timeout=3";
                })
                .UseDefaultBackend("fresh"));
            await using var provider = services.BuildServiceProvider();
            var queue = provider.GetRequiredService<ITaskQueue>();
            var enqueued = new List<TaskResult>();
            for (var batch = 0; batch < 4; batch++)
            {
                enqueued.AddRange(await queue.EnqueueManyAsync(Enumerable.Range(batch * 1_000, 1_000).Select(i => new RecordArgs($"fresh {i}"))));
            }

            var watch = Stopwatch.StartNew();
            var listed = await ListAsync((IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("fresh"), null);
            output.WriteLine($"listed {listed.Count} pending tasks on never-analyzed tables in {watch.ElapsedMilliseconds} ms");
            Assert.Equal(enqueued.Select(r => r.Id), listed.Select(e => e.Id));
        }
        finally
        {
            await settings.DropAsync(fixture.DataSource);
        }
    }

    /// <summary>The conformance tasks and <see cref="SlowRetry"/> on the fixture's Quartz backend ("quartz", the default) and an in-memory one ("mem").</summary>
    internal static ServiceProvider BuildServices(QuartzAdoFixture fixture)
    {
        var services = new ServiceCollection();
        services.AddSingleton(fixture.Probe);
        services.AddTasks(t => t
            .AddConformanceTasks()
            .AddTask<FailArgs, int, FailHandler>(SlowRetry, o => { o.MaxAttempts = 2; o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMinutes(10)); })
            .AddQuartzBackend("quartz", fixture.Settings.Apply)
            .AddInMemoryBackend("mem")
            .UseDefaultBackend("quartz"));
        return services.BuildServiceProvider();
    }

    /// <summary>Every pending task of <paramref name="backend"/> (of one queue, with <paramref name="queue"/>), in listing order.</summary>
    internal static async Task<List<TaskEnvelope>> ListAsync(IPendingTaskBackend backend, string? queue)
    {
        var list = new List<TaskEnvelope>();
        await foreach (var e in backend.ListPendingAsync(queue))
        {
            list.Add(e);
        }

        return list;
    }
}
