using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>
/// AdoNet task jobs are durable (Quartz's completion keeps them, which makes it cheaper) and the workers delete the jobs
/// of finished tasks in bulk (<see cref="QuartzJobSweeper"/>): nothing of a finished task stays in Quartz's tables, its
/// result stays readable, and a task that still has a trigger keeps its job.
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
    public async Task Finished_tasks_leave_no_quartz_job_behind_while_a_task_waiting_for_its_retry_keeps_its_job()
    {
        await using var provider = QuartzPendingTests.BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var done = await queue.EnqueueManyAsync(Enumerable.Range(0, 20).Select(i => new RecordArgs($"finished {i}")));
        var retrying = await queue.EnqueueAsync(QuartzPendingTests.SlowRetry, new FailArgs("first attempt fails", 1));
        Assert.Equal(21L, await fixture.CountRowsAsync("job_details"));

        await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w1" });
        await worker.StartAsync();
        foreach (var r in done)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(r.Id, TimeSpan.FromSeconds(30))).Status);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await queue.GetResultAsync(retrying.Id)) is not { Status: TaskResultStatus.Ready, Errors.Count: 1 })
        {
            Assert.True(DateTime.UtcNow < deadline, "the first attempt failed within 30 s");
            await Task.Delay(100);
        }

        // The sweeper runs every second; give it a few.
        deadline = DateTime.UtcNow.AddSeconds(15);
        while (await fixture.CountRowsAsync("job_details") > 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the jobs of the finished tasks were deleted within 15 s ({await fixture.CountRowsAsync("job_details")} jobs left)");
            await Task.Delay(200);
        }

        Assert.Equal(1L, await fixture.CountRowsAsync("job_details", retrying.Id));
        Assert.Equal(1L, await fixture.CountRowsAsync("triggers", retrying.Id));
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // more sweeps: the retry's job stays
        Assert.Equal(1L, await fixture.CountRowsAsync("job_details", retrying.Id));
        var pending = provider.GetRequiredService<ITaskBackendProvider>().Get("quartz") as IPendingTaskBackend;
        var listed = new List<TaskEnvelope>();
        await foreach (var e in pending!.ListPendingAsync())
        {
            listed.Add(e);
        }

        Assert.Equal(retrying.Id, Assert.Single(listed).Id);
        foreach (var r in done)
        {
            var result = await queue.GetResultAsync(r.Id);
            Assert.Equal(TaskResultStatus.Succeeded, result.Status);
            Assert.Equal(1, result.Attempts);
        }

        Assert.Single(fixture.Probe.ExecutionsOf(done[0].Id));
    }

    [Fact]
    public async Task A_starting_worker_deletes_task_jobs_left_without_triggers_and_keeps_the_others()
    {
        await using var provider = QuartzPendingTests.BuildServices(fixture);
        var queue = provider.GetRequiredService<ITaskQueue>();
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var left = await queue.With(runAfter: later).EnqueueAsync(new RecordArgs("left behind"));
        var waiting = await queue.With(runAfter: later).EnqueueAsync(new RecordArgs("still waiting"));

        // What a worker that died before its sweep leaves: a durable task job whose trigger Quartz has deleted.
        await using (var conn = await fixture.DataSource.OpenConnectionAsync())
        {
            foreach (var table in (string[])["simple_triggers", "triggers"])
            {
                await using var delete = new NpgsqlCommand($"DELETE FROM {fixture.Settings.TablePrefix}{table} WHERE sched_name = @s AND trigger_name = @t", conn);
                delete.Parameters.AddWithValue("s", fixture.Settings.SchedulerName);
                delete.Parameters.AddWithValue("t", left.Id);
                Assert.Equal(1, await delete.ExecuteNonQueryAsync());
            }
        }

        Assert.Equal(1L, await fixture.CountRowsAsync("job_details", left.Id));
        await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "finished-w2" });
        await worker.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await fixture.CountRowsAsync("job_details", left.Id) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the job left without triggers was deleted within 15 s of the worker's start");
            await Task.Delay(200);
        }

        Assert.Equal(1L, await fixture.CountRowsAsync("job_details", waiting.Id));
        Assert.Equal(TaskResultStatus.Ready, (await queue.GetResultAsync(waiting.Id)).Status);
    }
}
