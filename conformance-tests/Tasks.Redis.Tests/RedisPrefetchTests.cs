using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>
/// Take-ahead (<see cref="RedisTaskBackendOptions.PrefetchCount"/>): a worker holds tasks ahead of its free slots under
/// lease, they cannot be cancelled from outside meanwhile, and they go back to their queue, in order, when it stops.
/// </summary>
public sealed class RedisPrefetchTests : RedisTestBase
{
    [Fact]
    public async Task Tasks_taken_ahead_are_not_cancellable_and_go_back_in_order_when_the_worker_stops()
    {
        var prefix = NewPrefix("ahead");
        var host = Host(prefix, o => o.PrefetchCount = 3);
        var worker = await host.StartWorkerAsync(concurrency: 1);
        var sleeping = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(1_500));
        await WaitForAsync(() => Task.FromResult(host.Probe.ExecutionsOf(sleeping.Id).Count == 1), "the sleeping task starts");

        var waiting = await host.Queue.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new RecordArgs($"w{i}")));
        await WaitForAsync(async () => await Db.HashLengthAsync($"{prefix}:lease") == 4, "the worker holds the running task and 3 taken ahead");
        Assert.Equal(2, await Db.SortedSetLengthAsync($"{prefix}:q:default"));

        // The first three are held by the worker: a cancel from outside loses, as for a started task.
        Assert.False(await host.Queue.CancelAsync(waiting[0].Id));
        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(waiting[0].Id)).Status);

        await worker.StopAsync();
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(sleeping.Id)).Status);
        Assert.Equal(0, await Db.HashLengthAsync($"{prefix}:lease"));
        Assert.Equal(5, await Db.SortedSetLengthAsync($"{prefix}:q:default"));
        Assert.All(waiting, w => Assert.Empty(host.Probe.ExecutionsOf(w.Id)));

        // Back at their old places: a new worker runs them in enqueue order.
        await host.StartWorkerAsync(concurrency: 1);
        foreach (var w in waiting)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, w.Id)).Status);
        }

        Assert.Equal(["w0", "w1", "w2", "w3", "w4"], host.Probe.Executions.Where(e => e.TaskId != sleeping.Id).Select(e => e.Label));
    }

    [Fact]
    public async Task Prefetch_zero_takes_only_for_free_slots()
    {
        var prefix = NewPrefix("noahead");
        var host = Host(prefix, o => o.PrefetchCount = 0);
        await host.StartWorkerAsync(concurrency: 1);
        var sleeping = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(1_000));
        await WaitForAsync(() => Task.FromResult(host.Probe.ExecutionsOf(sleeping.Id).Count == 1), "the sleeping task starts");
        var waiting = await host.Queue.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new RecordArgs($"z{i}")));
        await Task.Delay(300);

        Assert.Equal(1, await Db.HashLengthAsync($"{prefix}:lease"));
        Assert.True(await host.Queue.CancelAsync(waiting[0].Id));
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, waiting[2].Id)).Status);
        Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(waiting[0].Id)).Status);
        Assert.Empty(host.Probe.ExecutionsOf(waiting[0].Id));
    }

    [Fact]
    public void Negative_prefetch_is_refused()
    {
        var host = Host(NewPrefix("badahead"), o => o.PrefetchCount = -1);
        var ex = Assert.Throws<TaskConfigurationException>(() => host.Backend);
        Assert.Contains("PrefetchCount", ex.Message, StringComparison.Ordinal);
    }
}
