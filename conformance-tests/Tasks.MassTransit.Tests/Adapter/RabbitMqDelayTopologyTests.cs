using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Tasks.MassTransit.RabbitMq;
using Xunit.Abstractions;

namespace Tasks.MassTransit.Tests;

/// <summary>Run-after without the delayed-exchange plugin: the TTL and dead-letter levels on the real broker.</summary>
public sealed class RabbitMqDelayTopologyTests(ITestOutputHelper output) : RabbitMqAdapterTestBase
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(100, 1)]
    [InlineData(101, 2)]
    [InlineData(2_000, 20)]
    [InlineData(2_050, 21)]
    public void Delays_round_up_to_whole_units(int milliseconds, long units) =>
        Assert.Equal(units, RabbitMqTopology.DelayUnits(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Delays_longer_than_one_pass_are_capped_and_tiny_ones_wait_one_unit()
    {
        Assert.Equal(RabbitMqTopology.MaxDelayUnits, RabbitMqTopology.DelayUnits(TimeSpan.FromDays(400)));
        Assert.Equal(1, RabbitMqTopology.DelayUnits(TimeSpan.FromTicks(1)));
        Assert.True(RabbitMqTopology.MaxDelayUnits * RabbitMqTopology.DelayUnit > TimeSpan.FromDays(38));
    }

    [Fact]
    public void Routing_key_spells_the_delay_in_bits_highest_level_first()
    {
        var key = RabbitMqTopology.DelayRoutingKey(0b11001, "p-default");
        var words = key.Split('.');
        Assert.Equal(RabbitMqTopology.DelayLevels + 1, words.Length);
        Assert.Equal("p-default", words[^1]);
        Assert.Equal(new string('0', RabbitMqTopology.DelayLevels - 5) + "11001", string.Concat(words[..^1]));

        // Level 4 takes it (bit 4 is set), level 2 passes it on (bit 2 is clear), and the deliver exchange matches exactly.
        Assert.True(TopicMatches(RabbitMqTopology.LevelBindingKey(4, '1'), key));
        Assert.False(TopicMatches(RabbitMqTopology.LevelBindingKey(4, '0'), key));
        Assert.True(TopicMatches(RabbitMqTopology.LevelBindingKey(2, '0'), key));
        Assert.True(TopicMatches(RabbitMqTopology.DeliverBindingKey("p-default"), key));
        Assert.False(TopicMatches(RabbitMqTopology.DeliverBindingKey("default"), key));
        Assert.False(TopicMatches(RabbitMqTopology.DeliverBindingKey("x.p-default"), key));
    }

    [Fact]
    public async Task Delayed_tasks_wait_in_the_levels_and_reach_their_queue_on_time_persistent_and_prioritised()
    {
        var host = Host();
        var arrivals = new ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyBasicProperties Props)>();
        // Declares the task queue and (first use, ~100 declarations) the delay levels, so timings below are steady.
        await host.Queue.Delay(TimeSpan.FromHours(1)).EnqueueAsync(TestHandler.Name, new TestArgs("declares the topology"));
        await using var channel = await Connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(TaskQueue);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var body = JsonDocument.Parse(delivery.Body);
            arrivals[body.RootElement.GetProperty("message").GetProperty("id").GetString()!] = (DateTimeOffset.UtcNow, delivery.BasicProperties);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(TaskQueue, autoAck: true, consumer);

        var due = new Dictionary<string, DateTimeOffset>();
        string? longest = null;
        foreach (var (delay, priority) in new[] { (2_500, 100), (300, 0), (1_200, -5) })
        {
            var runAfter = DateTimeOffset.UtcNow.AddMilliseconds(delay);
            var r = await host.Queue.With(runAfter: runAfter, priority: priority).EnqueueAsync(TestHandler.Name, new TestArgs($"in {delay} ms"));
            due[r.Id] = runAfter;
            if (longest is null)
            {
                // 2.5 s = 25 units = 11001b: the message waits first in level 4 (1.6 s), not in the task queue.
                longest = r.Id;
                await WaitUntilAsync(async () => await MessageCountAsync(new RabbitMqTopology(Prefix).DelayName(4)) == 1, TimeSpan.FromSeconds(1), "the 2.5 s task waits in level 4");
                Assert.False(arrivals.ContainsKey(longest));
            }
        }

        await WaitUntilAsync(() => Task.FromResult(arrivals.Count == 3), TimeSpan.FromSeconds(5), "all three arrive");
        foreach (var (id, runAfter) in due)
        {
            var (at, props) = arrivals[id];
            output.WriteLine($"due {runAfter:HH:mm:ss.fff}, arrived {(at - runAfter).TotalMilliseconds:F0} ms later");
            Assert.True(at >= runAfter, $"arrived {(runAfter - at).TotalMilliseconds} ms before its run-after");
            Assert.True(at <= runAfter.AddMilliseconds(500), $"arrived {(at - runAfter).TotalMilliseconds} ms after its run-after");
            Assert.Equal(DeliveryModes.Persistent, props.DeliveryMode);
            Assert.True(props.Headers?.ContainsKey("x-death"), "it came through the dead-letter levels");
        }

        Assert.Equal([10, 5, 3], due.Keys.Select(id => arrivals[id].Props.Priority));
    }

    /// <summary>The topic-exchange match rules ('*' one word, '#' zero or more), to check the keys without a broker.</summary>
    private static bool TopicMatches(string pattern, string key) => Match(pattern.Split('.'), key.Split('.'));

    private static bool Match(ReadOnlySpan<string> pattern, ReadOnlySpan<string> words)
    {
        if (pattern.IsEmpty)
        {
            return words.IsEmpty;
        }

        if (pattern[0] == "#")
        {
            for (var skip = 0; skip <= words.Length; skip++)
            {
                if (Match(pattern[1..], words[skip..]))
                {
                    return true;
                }
            }

            return false;
        }

        return !words.IsEmpty && (pattern[0] == "*" || pattern[0] == words[0]) && Match(pattern[1..], words[1..]);
    }
}
