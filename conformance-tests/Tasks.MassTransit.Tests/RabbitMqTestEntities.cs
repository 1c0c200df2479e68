using RabbitMQ.Client;
using Tasks.MassTransit.RabbitMq;

namespace Tasks.MassTransit.Tests;

/// <summary>Purges or deletes the RabbitMQ entities one test prefix may have created (the broker has no management plugin to list them).</summary>
internal static class RabbitMqTestEntities
{
    public static readonly string[] SuiteQueues = ["default", "conf_a", "conf_b"];

    public static IEnumerable<string> Queues(string prefix, IEnumerable<string> queues)
    {
        var topology = new RabbitMqTopology(prefix);
        foreach (var q in queues)
        {
            var name = topology.QueueName(q);
            yield return name;
            yield return name + "_error";
            yield return name + "_skipped";
        }

        for (var level = 0; level < RabbitMqTopology.DelayLevels; level++)
        {
            yield return topology.DelayName(level);
        }
    }

    public static IEnumerable<string> Exchanges(string prefix, IEnumerable<string> queues)
    {
        var topology = new RabbitMqTopology(prefix);
        foreach (var q in Queues(prefix, queues))
        {
            yield return q;
        }

        yield return topology.DeliverExchange;
    }

    public static async Task PurgeAsync(string prefix, IEnumerable<string>? queues = null)
    {
        await using var connection = await TestServers.ConnectRabbitMqAsync();
        foreach (var q in Queues(prefix, queues ?? SuiteQueues))
        {
            // A fresh channel each time: purging a queue that does not exist closes the channel.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueuePurgeAsync(q);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Not declared (yet).
            }
        }
    }

    public static async Task DeleteAsync(string prefix, IEnumerable<string>? queues = null)
    {
        await using var connection = await TestServers.ConnectRabbitMqAsync();
        await using var channel = await connection.CreateChannelAsync();
        var names = queues?.ToArray() ?? SuiteQueues;
        foreach (var q in Queues(prefix, names))
        {
            await channel.QueueDeleteAsync(q);
        }

        foreach (var e in Exchanges(prefix, names))
        {
            await channel.ExchangeDeleteAsync(e);
        }
    }
}
