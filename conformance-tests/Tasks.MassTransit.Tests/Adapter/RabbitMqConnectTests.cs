namespace Tasks.MassTransit.Tests;

/// <summary><see cref="MassTransitTaskBackend.ConnectAsync"/>: the enqueue side prepared before the first enqueue.</summary>
public sealed class RabbitMqConnectTests : RabbitMqAdapterTestBase
{
    [Fact]
    public async Task Connect_declares_the_queues_and_creates_the_results_table_before_any_enqueue()
    {
        var host = Host(UsePostgresResults);
        var backend = (MassTransitTaskBackend)host.Backend();
        Assert.Null(await MessageCountAsync(TaskQueue));

        await backend.ConnectAsync(["default"]);
        await backend.ConnectAsync(["default"]); // idempotent

        Assert.Equal(0u, await MessageCountAsync(TaskQueue));
        await foreach (var e in backend.ListPendingAsync())
        {
            Assert.Fail($"unexpected pending task {e.Id}");
        }

        var task = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("after connect"));
        Assert.Equal(1u, await MessageCountAsync(TaskQueue));
        Assert.Equal(TaskResultStatus.Ready, (await host.Backend().GetResultAsync(task.Id)).Status);
    }
}
