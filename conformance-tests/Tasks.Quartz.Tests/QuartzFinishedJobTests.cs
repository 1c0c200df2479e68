using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>
/// AdoNet task jobs are durable (Quartz's completion keeps them, which makes it cheaper): a finished or cancelled task
/// keeps its job, without triggers, as long as its result row exists (so Quartz's key refuses its id), a job without
/// triggers never stands for a result, and the workers purge expired results together with their jobs
/// (<see cref="QuartzResultPurger"/>).
/// </summary>
public sealed class QuartzFinishedJobTests(QuartzAdoFixture fixture) : IClassFixture<QuartzAdoFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        fixture.Probe.Clear();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Finished_and_cancelled_tasks_keep_their_job_without_triggers_until_their_result_expires()
    {
        await using var provider = QuartzPendingTests.BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var done = await queue.EnqueueManyAsync(Enumerable.Range(0, 20).Select(i => new RecordArgs($"finished {i}")));
        var retrying = await queue.EnqueueAsync(QuartzPendingTests.SlowRetry, new FailArgs("first attempt fails", 1));
        var cancelled = await queue.With(runAfter: DateTimeOffset.UtcNow.AddHours(1)).EnqueueAsync(new RecordArgs("cancelled"));
        Assert.True(await queue.CancelAsync(cancelled.Id));

        await using (var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w1" }))
        {
            await worker.StartAsync();
            foreach (var r in done)
            {
                Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(r.Id, TimeSpan.FromSeconds(30))).Status);
            }

            await Poll.UntilAsync(async () => await queue.GetResultAsync(retrying.Id) is { Status: TaskResultStatus.Ready, Errors.Count: 1 }, "the first attempt failed");
        }

        // Every job stays; only the task waiting for its retry has a trigger.
        Assert.Equal(22L, await fixture.CountRowsAsync("job_details"));
        Assert.Equal(1L, await fixture.CountRowsAsync("triggers"));
        Assert.Equal(1L, await fixture.CountRowsAsync("triggers", retrying.Id));
        Assert.Equal(TaskResultStatus.Cancelled, (await queue.GetResultAsync(cancelled.Id)).Status);
        Assert.Equal(retrying.Id, Assert.Single(await QuartzPendingTests.ListAsync((IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz"), null)).Id);

        // Two finished tasks and the cancelled one finished longer ago than the retention (7 days).
        var expired = new[] { done[0].Id, done[1].Id, cancelled.Id };
        await ExpireAsync(expired);

        // A worker's purge (at its start, then every few minutes) deletes exactly their rows and jobs.
        await using (var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w2", Queues = ["nowhere"] }))
        {
            await worker.StartAsync();
            await Poll.UntilAsync(async () => await fixture.CountRowsAsync("job_details") <= 19, "the expired results' jobs were purged", TimeSpan.FromSeconds(15));
        }

        foreach (var id in expired)
        {
            Assert.Equal(0L, await fixture.CountRowsAsync("job_details", id));
            await Assert.ThrowsAsync<TaskNotFoundException>(() => queue.GetResultAsync(id));
        }

        Assert.Equal(1L, await fixture.CountRowsAsync("job_details", retrying.Id));
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.GetResultAsync(done[2].Id)).Status);
        Assert.Single(fixture.Probe.ExecutionsOf(done[2].Id));
    }

    [Fact]
    public async Task A_task_id_is_refused_while_its_result_exists_and_free_again_once_the_result_is_purged()
    {
        await using var provider = QuartzPendingTests.BuildServices(fixture);
        var backend = (QuartzTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz");
        var queue = provider.GetRequiredService<ITaskQueue>();
        var finished = await queue.EnqueueAsync(new RecordArgs("reused id"));
        await using (var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w3" }))
        {
            await worker.StartAsync();
            Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(finished.Id, TimeSpan.FromSeconds(30))).Status);
        }

        var again = TaskEnvelope.ForNextAttempt(await queue.GetResultAsync(finished.Id)) with { Attempt = 1 };
        var error = await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueAsync(again));
        Assert.Equal("Id", error.Option);
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.GetResultAsync(finished.Id)).Status);

        await ExpireAsync([finished.Id]);
        await using (var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w4", Queues = ["nowhere"] }))
        {
            await worker.StartAsync();
            await Poll.UntilAsync(async () => await fixture.CountRowsAsync("job_details", finished.Id) == 0, "the expired result's job was purged", TimeSpan.FromSeconds(15));
        }

        Assert.Equal(TaskResultStatus.Ready, (await backend.EnqueueAsync(again)).Status);
        Assert.Equal(TaskResultStatus.Ready, (await queue.GetResultAsync(finished.Id)).Status);
    }

    [Fact]
    public async Task Expired_results_are_purged_by_the_workers_with_their_jobs_not_by_the_store_as_it_writes()
    {
        await using var provider = QuartzPendingTests.BuildServices(fixture);
        var backend = (QuartzTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz");
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var old = await queue.With(runAfter: later).EnqueueAsync(new RecordArgs("old"));
        Assert.True(await backend.Results.TryUpdateAsync(old with { Status = TaskResultStatus.Succeeded, FinishedAt = DateTimeOffset.UtcNow, Version = 2 }, 0));
        var scheduler = await backend.GetDispatchSchedulerAsync(CancellationToken.None);
        Assert.True(await scheduler.UnscheduleJob(new global::Quartz.TriggerKey(old.Id, QuartzTaskMapping.Group))); // as Quartz's completion does
        await ExpireAsync([old.Id]);

        // A finished write through the store itself (not a first write): the store would purge now if it purged as it writes.
        var recent = await queue.With(runAfter: later).EnqueueAsync(new RecordArgs("recent"));
        Assert.True(await backend.Results.TryUpdateAsync(recent with { Status = TaskResultStatus.Running, Version = 1 }, 0));
        Assert.True(await backend.Results.TryUpdateAsync(recent with { Status = TaskResultStatus.Succeeded, FinishedAt = DateTimeOffset.UtcNow, Version = 2 }, 1));
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.GetResultAsync(old.Id)).Status);

        await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w5", Queues = ["nowhere"] });
        await worker.StartAsync();
        await Poll.UntilAsync(async () => await fixture.CountRowsAsync("job_details", old.Id) == 0, "the expired result's job was purged", TimeSpan.FromSeconds(15));

        await Assert.ThrowsAsync<TaskNotFoundException>(() => queue.GetResultAsync(old.Id));
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.GetResultAsync(recent.Id)).Status);
    }

    /// <summary>Moves the finish of these tasks' results back past the retention.</summary>
    private async Task ExpireAsync(string[] ids)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"UPDATE {QuartzTestDatabase.Settings.ResultsSchema}.{fixture.Settings.ResultsTable} SET finished_at = now() - interval '8 days' WHERE id = ANY(@ids)", conn);
        cmd.Parameters.AddWithValue("ids", ids.Select(Guid.Parse).ToArray());
        Assert.Equal(ids.Length, await cmd.ExecuteNonQueryAsync());
    }
}
