using StackExchange.Redis;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>
/// A take whose reply the worker never gets (here: it times out behind a blocking command on the worker's own
/// connection, and Redis runs it afterwards) leases tasks nobody runs. The worker puts them back as soon as Redis
/// answers, instead of leaving them to the reaper a visibility timeout later.
/// </summary>
public sealed class RedisLostTakeTests : RedisTestBase
{
    [Fact]
    public async Task Tasks_leased_by_a_take_whose_reply_was_lost_go_back_at_once()
    {
        var prefix = NewPrefix("losttake");
        var logs = new CapturingLoggerProvider();

        // The worker's own multiplexer, with a short timeout, so the test can hold up just that connection.
        await using var workerConnection = await ConnectionMultiplexer.ConnectAsync($"{RedisTestServer.ConnectionString},asyncTimeout=200");
        var worker = Host(prefix, o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(workerConnection);
            o.VisibilityTimeout = TimeSpan.FromSeconds(60); // the reaper is far too slow to pass this test
            o.PrefetchCount = 0;
        }, logs);
        var client = Host(prefix);
        await worker.StartWorkerAsync(concurrency: 1);
        await Task.Delay(300); // the worker is idle, waiting for work

        // The worker's connection is held up for a second; the enqueue's wake-up (on the worker's other connection, the
        // subscription) makes it send a take, which times out there and runs once the connection moves again. Should
        // StackExchange.Redis drop that connection instead (it sometimes does under load), the take never ran and there is
        // nothing to put back: the round is repeated, so the test sees the lost reply it is about.
        for (var round = 0; round < 5 && !Released(logs); round++)
        {
            var blocker = workerConnection.GetDatabase().ExecuteAsync("BLPOP", $"{prefix}:never", "1");
            await Task.Delay(100);
            var task = await client.Queue.EnqueueAsync(new RecordArgs($"after a lost take {round}"));
            await Assert.ThrowsAnyAsync<Exception>(() => blocker); // a timeout, or the dropped connection

            var finished = await FinishedAsync(client, task.Id, seconds: 20);

            Assert.Equal(TaskResultStatus.Succeeded, finished.Status);
            Assert.Single(worker.Probe.ExecutionsOf(task.Id));
        }

        Assert.True(Released(logs), string.Join("\n", logs.Lines));
    }

    private static bool Released(CapturingLoggerProvider logs) =>
        logs.Lines.Any(l => l.Contains("take whose reply was lost had leased", StringComparison.Ordinal));
}
