using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tasks.Backends;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>
/// <see cref="QuartzTaskBackendOptions.RunningStatusDelay"/>: a first delivery writes Running only if it is still running
/// after the delay, and until then Quartz's own record of the firing keeps cancel, removal and listing away from it.
/// </summary>
public sealed class QuartzRunningStatusTests(QuartzAdoFixture fixture) : IClassFixture<QuartzAdoFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        fixture.Probe.Clear();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_started_task_whose_result_still_reads_ready_is_neither_pending_nor_cancellable()
    {
        await using var provider = BuildServices(TimeSpan.FromHours(1)); // Running is never written during this test
        var queue = provider.GetRequiredService<ITaskQueue>();
        var quartz = (IPendingTaskBackend)provider.GetRequiredService<ITaskBackendProvider>().Get("quartz");
        var sleeping = await queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(3_000));
        var deferred = await queue.Delay(TimeSpan.FromMinutes(10)).EnqueueAsync(new RecordArgs("deferred"));
        await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "status-w1" });
        await worker.StartAsync();
        await WaitUntilAsync(() => fixture.Probe.ExecutionsOf(sleeping.Id).Count == 1, "the sleeping task started");

        Assert.Equal(TaskResultStatus.Ready, (await quartz.GetResultAsync(sleeping.Id)).Status);
        Assert.False(await queue.CancelAsync(sleeping.Id), "Quartz is executing it");
        Assert.False(await quartz.RemovePendingAsync(sleeping.Id), "Quartz is executing it");
        var pending = new List<string>();
        await foreach (var e in quartz.ListPendingAsync())
        {
            pending.Add(e.Id);
        }

        Assert.Equal([deferred.Id], pending);
        Assert.True(await queue.CancelAsync(deferred.Id), "a task not started is still cancelled under the same lock");
        Assert.Equal(TaskResultStatus.Cancelled, (await quartz.GetResultAsync(deferred.Id)).Status);

        var finished = await queue.WaitAsync(sleeping.Id, TimeSpan.FromSeconds(30));
        Assert.Equal((TaskResultStatus.Succeeded, 1), (finished.Status, finished.Attempts));
        Assert.Equal(["status-w1"], finished.WorkerIds);
        Assert.Single(fixture.Probe.ExecutionsOf(sleeping.Id));
    }

    [Fact]
    public async Task A_task_still_running_after_the_delay_reads_running_with_its_worker()
    {
        await using var provider = BuildServices(TimeSpan.FromMilliseconds(200));
        var queue = provider.GetRequiredService<ITaskQueue>();
        var sleeping = await queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(4_000));
        await using var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "quartz", WorkerId = "status-w2" });
        await worker.StartAsync();

        await WaitUntilAsync(async () => await queue.GetResultAsync(sleeping.Id) is { Status: TaskResultStatus.Running, Attempts: 1 } r && r.WorkerIds.Contains("status-w2"), "the task reads Running");
        Assert.False(await queue.CancelAsync(sleeping.Id));
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(sleeping.Id, TimeSpan.FromSeconds(30))).Status);
    }

    [Fact]
    public async Task The_delayed_running_write_and_the_next_write_never_race()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryTaskResultStore();
        var ready = TaskResult.ForEnqueued(new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "x", Queue = "default", Arguments = "{}", EnqueuedAt = time.GetUtcNow() }, "quartz");
        await store.CreateAsync([ready]);
        var running = ready with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 };
        var succeeded = running with { Status = TaskResultStatus.Succeeded, FinishedAt = time.GetUtcNow(), Version = 2 };

        // Finished within the delay: Running is never written, the final write replaces the Ready record.
        var fast = new DeferredRunningWrite(store, running, 0, TimeSpan.FromSeconds(1), time, ex => Assert.Fail(ex.Message));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(await fast.ThenAsync(succeeded, 1, default));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((TaskResultStatus.Succeeded, 2L), ((await store.FindAsync(ready.Id))!.Status, (await store.FindAsync(ready.Id))!.Version));

        // Still running after the delay: Running is written, then the final write replaces it.
        var id2 = Guid.NewGuid().ToString();
        await store.CreateAsync([ready with { Id = id2 }]);
        var slow = new DeferredRunningWrite(store, running with { Id = id2 }, 0, TimeSpan.FromSeconds(1), time, ex => Assert.Fail(ex.Message));
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () => (await store.FindAsync(id2))!.Status == TaskResultStatus.Running, "Running was written");
        Assert.True(await slow.ThenAsync(succeeded with { Id = id2 }, 1, default));
        Assert.Equal(TaskResultStatus.Succeeded, (await store.FindAsync(id2))!.Status);

        // The record changed before the delay ran out (here: cancelled): both writes are refused, as the pipeline's would be.
        var id3 = Guid.NewGuid().ToString();
        await store.CreateAsync([ready with { Id = id3 }]);
        var refused = new DeferredRunningWrite(store, running with { Id = id3 }, 0, TimeSpan.FromSeconds(1), time, ex => Assert.Fail(ex.Message));
        Assert.True(await store.TryUpdateAsync(ready with { Id = id3, Status = TaskResultStatus.Cancelled, Version = 1 }, 0));
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(await refused.ThenAsync(succeeded with { Id = id3 }, 1, default));
        Assert.Equal(TaskResultStatus.Cancelled, (await store.FindAsync(id3))!.Status);
    }

    private ServiceProvider BuildServices(TimeSpan runningStatusDelay)
    {
        var services = new ServiceCollection();
        services.AddSingleton(fixture.Probe);
        services.AddTasks(t => t
            .AddConformanceTasks()
            .AddQuartzBackend("quartz", o =>
            {
                fixture.Settings.Apply(o);
                o.RunningStatusDelay = runningStatusDelay;
            })
            .UseDefaultBackend("quartz"));
        return services.BuildServiceProvider();
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} within 30 s");
            await Task.Delay(20);
        }
    }
}
