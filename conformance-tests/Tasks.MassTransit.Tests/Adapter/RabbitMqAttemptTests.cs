using MassTransit;

namespace Tasks.MassTransit.Tests;

/// <summary>MassTransit never retries or redelivers on its own: attempts are the pipeline's only.</summary>
public sealed class RabbitMqAttemptTests : RabbitMqAdapterTestBase
{
    [Fact]
    public async Task A_throwing_handler_runs_once_per_attempt_and_nothing_reaches_an_error_queue()
    {
        var host = Host();
        await host.StartWorkerAsync();

        var once = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("fails", Fail: true));
        var thrice = await host.Queue.EnqueueAsync(TestHandler.RetriedName, new TestArgs("fails three times", Fail: true));

        var failed = await host.Queue.WaitAsync(once.Id, TimeSpan.FromSeconds(20));
        var retried = await host.Queue.WaitAsync(thrice.Id, TimeSpan.FromSeconds(20));
        await Task.Delay(1_000); // time for any redelivery MassTransit might attempt

        Assert.Equal(TaskResultStatus.Failed, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Single(host.Runs.Of(once.Id));
        Assert.Equal(TaskResultStatus.Failed, retried.Status);
        Assert.Equal(3, retried.Attempts);
        Assert.Equal(3, host.Runs.Of(thrice.Id).Count);
        Assert.Equal([1, 2, 3], retried.Errors.Select(e => e.Attempt));

        Assert.Equal(0u, await MessageCountAsync(TaskQueue));
        Assert.True((await MessageCountAsync(TaskQueue + "_error") ?? 0) == 0, "MassTransit faulted a message");
    }

    [Fact]
    public async Task A_task_that_arrives_before_its_run_after_is_delayed_again_not_run()
    {
        var host = Host();
        await host.StartWorkerAsync();

        // As a delay longer than one pass of the delay topology would arrive: straight into the task queue, still early.
        var runAfter = DateTimeOffset.UtcNow.AddSeconds(1);
        var envelope = new TaskEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            TaskName = TestHandler.Name,
            Queue = "default",
            Arguments = "{\"label\":\"early\"}",
            RunAfter = runAfter,
            EnqueuedAt = DateTimeOffset.UtcNow,
        };
        await Results.CreateAsync([TaskResult.ForEnqueued(envelope, "main")]);
        await SendRawAsync(envelope); // carries its run-after but skips the delay levels
        var late = await host.Queue.WaitAsync(envelope.Id, TimeSpan.FromSeconds(10));
        Assert.Equal(TaskResultStatus.Succeeded, late.Status);
        var at = Assert.Single(host.Runs.Of(envelope.Id));
        Assert.True(at >= runAfter, $"ran {(runAfter - at).TotalMilliseconds} ms before its run-after");
    }

    private async Task SendRawAsync(TaskEnvelope envelope)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(TestServers.RabbitMq.Replace("amqp://", "rabbitmq://", StringComparison.Ordinal))));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{TaskQueue}"));
            await endpoint.Send(TaskEnvelopeMessage.From(envelope));
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
