using Microsoft.Extensions.DependencyInjection;
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
        await Poll.UntilAsync(() => fixture.Probe.ExecutionsOf(sleeping.Id).Count == 1, "the sleeping task started");

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

        await Poll.UntilAsync(async () => await queue.GetResultAsync(sleeping.Id) is { Status: TaskResultStatus.Running, Attempts: 1 } r && r.WorkerIds.Contains("status-w2"), "the task reads Running");
        Assert.False(await queue.CancelAsync(sleeping.Id));
        Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(sleeping.Id, TimeSpan.FromSeconds(30))).Status);
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
}
