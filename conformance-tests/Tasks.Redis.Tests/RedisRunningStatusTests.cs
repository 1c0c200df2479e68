using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>
/// <see cref="RedisTaskBackendOptions.RunningStatusDelay"/>: a task's start is recorded only if it still runs after the
/// delay, so a short task is written once; meanwhile its lease, not its status, keeps it from being cancelled.
/// </summary>
public sealed class RedisRunningStatusTests : RedisTestBase
{
    [Fact]
    public async Task A_short_task_is_written_once_and_a_long_one_reads_Running_after_the_delay()
    {
        var prefix = NewPrefix("running");
        var host = Host(prefix, o => o.RunningStatusDelay = TimeSpan.FromSeconds(1));
        await host.StartWorkerAsync(concurrency: 2, "default");

        var shortTask = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(300));
        await WaitForAsync(() => Task.FromResult(host.Probe.ExecutionsOf(shortTask.Id).Count == 1), "the short task starts");
        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(shortTask.Id)).Status);
        Assert.False(await host.Queue.CancelAsync(shortTask.Id), "a started task is leased, so not cancellable, though it reads Ready");
        var done = await FinishedAsync(host, shortTask.Id);
        Assert.Equal((TaskResultStatus.Succeeded, 1), (done.Status, done.Attempts));

        // One compare-and-set from the enqueued version 0 to the final record: no Running record was ever stored.
        Assert.Equal(2L, done.Version);
        Assert.Equal("2", (string?)await Db.HashGetAsync($"{prefix}:t:{shortTask.Id}", "v"));

        var longTask = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(3_000));
        await WaitForAsync(
            async () => await host.Queue.GetResultAsync(longTask.Id) is { Status: TaskResultStatus.Running, Attempts: 1, WorkerIds.Count: 1 },
            "the long task reads Running after the delay");
        Assert.False(await host.Queue.CancelAsync(longTask.Id));
        var finished = await FinishedAsync(host, longTask.Id);
        Assert.Equal((TaskResultStatus.Succeeded, 2L), (finished.Status, finished.Version));
    }

    [Fact]
    public async Task A_task_put_back_after_its_worker_died_is_marked_Running_at_once()
    {
        var prefix = NewPrefix("recovered");
        var host = Host(prefix, o => o.RunningStatusDelay = TimeSpan.FromSeconds(30));
        var task = await host.Queue.EnqueueAsync(ConformanceTaskNames.Sleep, new SleepArgs(2_000));

        // A take by a worker that dies at once: the task is leased and its lease expires without a heartbeat.
        await Db.ScriptEvaluateAsync(
            "local p = ARGV[1]; local id = redis.call('ZPOPMIN', p .. ':q:default')[1]; " +
            "redis.call('ZADD', p .. ':inflight', 0, id); redis.call('HSET', p .. ':lease', id, 'dead:1'); return id",
            [(StackExchange.Redis.RedisKey)$"{prefix}:x"],
            [prefix]);

        await host.StartWorkerAsync(concurrency: 1, "default");
        await WaitForAsync(() => Task.FromResult(host.Probe.ExecutionsOf(task.Id).Count == 1), "the reaped task runs again");
        await WaitForAsync(
            async () => await host.Queue.GetResultAsync(task.Id) is { Status: TaskResultStatus.Running },
            "its start is recorded long before the 30 s delay");
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, task.Id)).Status);
    }
}
