using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>Stopping a worker lets the running task finish Succeeded and starts nothing new.</summary>
    [Fact]
    public async Task Graceful_shutdown_finishes_running_task_and_starts_nothing_new()
    {
        var client = Host("client");
        var workerHost = Host("worker");
        var worker = await workerHost.StartWorkerAsync(o => o.Concurrency = 1);

        var running = await client.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(1_500));
        await WaitUntilAsync(() => Task.FromResult(Probe.ExecutionsOf(running.Id).Count == 1), Traits.TaskTimeout, "the sleeping task starts");
        var waiting = await client.Queue.EnqueueAsync(new RecordArgs("must not start"));

        await worker.StopAsync();

        var finished = await client.Queue.GetResultAsync(running.Id);
        Assert.Equal(TaskResultStatus.Succeeded, finished.Status);
        Assert.Equal(1_500, finished.GetReturnValue<int>());
        await Task.Delay(300);
        Assert.Empty(Probe.ExecutionsOf(waiting.Id));
        Assert.Equal(TaskResultStatus.Ready, (await client.Queue.GetResultAsync(waiting.Id)).Status);

        await Host("next").StartWorkerAsync();
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(client, waiting.Id)).Status);
    }
}
