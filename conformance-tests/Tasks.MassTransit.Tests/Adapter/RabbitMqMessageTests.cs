using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Tasks.MassTransit.Tests;

/// <summary>What a task looks like on the broker: persistent, prioritised MassTransit messages in a priority queue.</summary>
public sealed class RabbitMqMessageTests : RabbitMqAdapterTestBase
{
    [Fact]
    public async Task Tasks_are_persistent_prioritised_masstransit_messages_in_a_priority_queue()
    {
        var host = Host();
        var low = await host.Queue.With(priority: -5).EnqueueAsync(TestHandler.Name, new TestArgs("low"));
        var high = await host.Queue.With(priority: 100).EnqueueAsync(TestHandler.Name, new TestArgs("high"));
        Assert.Equal(2u, await MessageCountAsync(TaskQueue));

        await using var channel = await Connection.CreateChannelAsync();
        var first = await channel.BasicGetAsync(TaskQueue, autoAck: true);
        var second = await channel.BasicGetAsync(TaskQueue, autoAck: true);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(DeliveryModes.Persistent, first.BasicProperties.DeliveryMode);
        Assert.Equal(DeliveryModes.Persistent, second.BasicProperties.DeliveryMode);
        Assert.Equal(10, first.BasicProperties.Priority); // the higher priority overtook the earlier task
        Assert.Equal(3, second.BasicProperties.Priority);
        Assert.Equal("application/vnd.masstransit+json", first.BasicProperties.ContentType);
        using var body = JsonDocument.Parse(first.Body);
        Assert.Contains("urn:message:Tasks.MassTransit:TaskEnvelopeMessage", body.RootElement.GetProperty("messageType").EnumerateArray().Select(e => e.GetString()));
        var message = body.RootElement.GetProperty("message");
        Assert.Equal(high.Id, message.GetProperty("id").GetString());
        Assert.Equal(TestHandler.Name, message.GetProperty("taskName").GetString());
        Assert.Equal(100, message.GetProperty("priority").GetInt32());
        Assert.NotEqual(low.Id, high.Id);
    }

    [Fact]
    public async Task Task_queue_is_declared_with_ten_priority_levels()
    {
        var host = Host();
        await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("declares the queue"));
        await using var channel = await Connection.CreateChannelAsync();

        // Redeclaring with the same arguments is accepted; any other x-max-priority is refused as inequivalent.
        await channel.QueueDeclareAsync(TaskQueue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?> { ["x-max-priority"] = 10 });
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            channel.QueueDeclareAsync(TaskQueue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?> { ["x-max-priority"] = 5 }));
        Assert.Contains("x-max-priority", ex.Message, StringComparison.Ordinal);
    }
}
