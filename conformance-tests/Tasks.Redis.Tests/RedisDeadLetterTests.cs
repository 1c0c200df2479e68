using System.Globalization;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>A stored envelope that cannot be read is moved to the dead-letter list and its result marked Failed; the worker goes on.</summary>
public sealed class RedisDeadLetterTests : RedisTestBase
{
    [Fact]
    public async Task Corrupt_envelope_is_dead_lettered_and_marked_failed_and_the_worker_carries_on()
    {
        var prefix = NewPrefix("dead");
        var host = Host(prefix);
        await host.Queue.EnqueueAsync(new RecordArgs("first")); // creates the sequence; its score is a realistic one

        // One corrupt envelope with a valid Ready result, one with no result at all, written raw as another tool might.
        var withResult = Guid.NewGuid().ToString();
        var withoutResult = Guid.NewGuid().ToString();
        var readyResult = TaskJson.Serialize(new TaskResult
        {
            Id = withResult, TaskName = ConformanceTaskNames.Record, Backend = RedisTestHost.Alias, Queue = "default",
            Arguments = "{\"label\":\"x\"}", Status = TaskResultStatus.Ready, EnqueuedAt = DateTimeOffset.UtcNow,
        });
        const string Garbage = "{\"id\": \"not closed";
        var score = (100L * 17592186044416L).ToString(CultureInfo.InvariantCulture);
        await Db.HashSetAsync($"{prefix}:t:{withResult}", [new("v", "0"), new("r", readyResult), new("e", Garbage), new("q", "default"), new("s", score)]);
        await Db.HashSetAsync($"{prefix}:t:{withoutResult}", [new("e", "[1,2,3]"), new("q", "default"), new("s", score)]);
        await Db.SortedSetAddAsync($"{prefix}:q:default", [new(withResult, 0), new(withoutResult, 1)]);

        await host.StartWorkerAsync(concurrency: 1);
        var next = await host.Queue.EnqueueAsync(new RecordArgs("next"));
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, next.Id)).Status);

        foreach (var id in new[] { withResult, withoutResult })
        {
            var failed = await FinishedAsync(host, id);
            Assert.Equal(TaskResultStatus.Failed, failed.Status);
            Assert.Equal(typeof(TaskPayloadException).FullName, Assert.Single(failed.Errors).ExceptionType);
            Assert.Contains("dead-letter", failed.Errors[0].Message, StringComparison.Ordinal);
            Assert.Empty(host.Probe.ExecutionsOf(id));
            var ttl = await Db.KeyTimeToLiveAsync($"{prefix}:t:{id}");
            Assert.NotNull(ttl);
        }

        Assert.Equal(ConformanceTaskNames.Record, (await host.Queue.GetResultAsync(withResult)).TaskName);
        var dead = await host.Backend.GetDeadLettersAsync();
        Assert.Equal(2, dead.Count);
        var entry = Assert.Single(dead, d => d.Id == withResult);
        Assert.Equal(Garbage, entry.Payload);
        Assert.Equal("default", entry.Queue);
        Assert.Equal("[1,2,3]", Assert.Single(dead, d => d.Id == withoutResult).Payload);
        Assert.Equal(2, await Db.ListLengthAsync(host.Backend.DeadLetterKey));

        // Nothing of them is left in flight or queued.
        Assert.Equal(0, await Db.SortedSetLengthAsync($"{prefix}:q:default"));
        Assert.Equal(0, await Db.SortedSetLengthAsync($"{prefix}:inflight"));
    }
}
