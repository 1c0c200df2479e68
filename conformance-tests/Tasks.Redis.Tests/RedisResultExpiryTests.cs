using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>Finished results expire after the retention; waiting ones never do.</summary>
public sealed class RedisResultExpiryTests : RedisTestBase
{
    [Fact]
    public async Task Finished_results_get_the_retention_as_ttl_and_then_disappear()
    {
        var prefix = NewPrefix("ttl");
        var host = Host(prefix, o => o.ResultRetention = TimeSpan.FromSeconds(2));
        var waiting = await host.Queue.With(queue: "nobody").EnqueueAsync(new RecordArgs("waiting"));
        var cancelled = await host.Queue.EnqueueAsync(new RecordArgs("cancelled"));
        Assert.True(await host.Queue.CancelAsync(cancelled.Id));
        await host.StartWorkerAsync();
        var done = await host.Queue.EnqueueAsync(new RecordArgs("done"));
        var failed = await host.Queue.EnqueueAsync(ConformanceTaskNames.FailOnce, new FailArgs("boom", 1));
        await FinishedAsync(host, done.Id);
        await FinishedAsync(host, failed.Id);

        Assert.Null(await Db.KeyTimeToLiveAsync($"{prefix}:t:{waiting.Id}"));
        foreach (var id in new[] { cancelled.Id, done.Id, failed.Id })
        {
            var ttl = await Db.KeyTimeToLiveAsync($"{prefix}:t:{id}");
            Assert.NotNull(ttl);
            Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(2));
            Assert.False(await Db.HashExistsAsync($"{prefix}:t:{id}", "e"), "a finished task keeps no envelope");
        }

        await Task.Delay(2_500);
        foreach (var id in new[] { cancelled.Id, done.Id, failed.Id })
        {
            await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(id));
        }

        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(waiting.Id)).Status);
    }

    [Fact]
    public async Task Default_retention_is_seven_days()
    {
        var prefix = NewPrefix("ttl7");
        var host = Host(prefix);
        Assert.Equal(TimeSpan.FromDays(7), host.Backend.Options.ResultRetention);
        await host.StartWorkerAsync();
        var done = await host.Queue.EnqueueAsync(new RecordArgs("done"));
        await FinishedAsync(host, done.Id);
        var ttl = await Db.KeyTimeToLiveAsync($"{prefix}:t:{done.Id}");
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }
}
