namespace Tasks.MassTransit.Tests;

/// <summary>A worker whose task overruns the shutdown timeout interrupts it and hands the message back to RabbitMQ.</summary>
public sealed class RabbitMqShutdownTests : RabbitMqAdapterTestBase
{
    [Fact]
    public async Task Task_running_past_the_shutdown_timeout_goes_back_to_its_queue_and_runs_elsewhere()
    {
        var host = Host();
        var first = await host.StartWorkerAsync(configure: o => { o.Concurrency = 1; o.ShutdownTimeout = TimeSpan.FromMilliseconds(300); });
        var slow = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("slow", SleepMs: 3_000));
        await WaitUntilAsync(() => Task.FromResult(host.Runs.Of(slow.Id).Count == 1), TimeSpan.FromSeconds(10), "the slow task starts");

        await first.StopAsync();

        var interrupted = await host.Queue.GetResultAsync(slow.Id);
        Assert.Equal(TaskResultStatus.Ready, interrupted.Status);
        Assert.Equal(0, interrupted.Attempts); // an interrupted attempt is not counted
        Assert.Equal(1u, await MessageCountAsync(TaskQueue)); // requeued, not lost, not in an error queue

        await host.StartWorkerAsync(configure: o => o.WorkerId = "second");
        var result = await host.Queue.WaitAsync(slow.Id, TimeSpan.FromSeconds(15));
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Equal("second", result.WorkerIds[^1]);
        Assert.Equal(2, host.Runs.Of(slow.Id).Count);
    }
}
