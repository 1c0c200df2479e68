using MassTransit;
using Tasks.Backends;

namespace Tasks.MassTransit.Tests;

/// <summary>Faults outside the task: never dropped, never silently retried by MassTransit.</summary>
public sealed class RabbitMqFaultTests : RabbitMqAdapterTestBase
{
    [Fact]
    public async Task Result_store_failure_hands_the_message_back_and_the_task_still_runs_once()
    {
        var store = new FlakyResultStore(new InMemoryTaskResultStore(), failures: 2);
        var host = Host(o => o.ResultStore = store);
        await host.StartWorkerAsync(configure: o => o.ErrorDelay = TimeSpan.FromMilliseconds(100));

        var enqueued = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("survives"));
        var result = await host.Queue.WaitAsync(enqueued.Id, TimeSpan.FromSeconds(15));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(0, store.FailuresLeft); // both failures happened, each time the message came back
        Assert.Single(host.Runs.Of(enqueued.Id)); // the failures were before the handler: it ran once
        Assert.Equal(1, result.Attempts);
        Assert.Equal(0u, await MessageCountAsync(TaskQueue));
    }

    [Fact]
    public async Task A_message_that_is_not_a_task_goes_to_the_error_queue_and_the_worker_goes_on()
    {
        var host = Host();
        await host.StartWorkerAsync();

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(TestServers.RabbitMq.Replace("amqp://", "rabbitmq://", StringComparison.Ordinal))));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{TaskQueue}"));
            await endpoint.Send(new TaskEnvelopeMessage { Id = "not-a-task-id", TaskName = TestHandler.Name, Queue = "default", Arguments = "{}" });
        }
        finally
        {
            await bus.StopAsync();
        }

        var next = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("next"));
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(next.Id, TimeSpan.FromSeconds(15))).Status);
        await WaitUntilAsync(async () => await MessageCountAsync(TaskQueue + "_error") == 1, TimeSpan.FromSeconds(5), "the foreign message is in the error queue");
    }

    /// <summary>A result store whose first updates fail as if the database were briefly unreachable.</summary>
    private sealed class FlakyResultStore(ITaskResultStore inner, int failures) : ITaskResultStore
    {
        private int _failures = failures;

        public int FailuresLeft => Math.Max(0, Volatile.Read(ref _failures));

        public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => inner.CreateAsync(results, cancellationToken);

        public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failures) >= 0
                ? throw new TaskBackendUnavailableException("results", "updating a result", new IOException("database briefly unreachable"))
                : inner.TryUpdateAsync(result, expectedVersion, cancellationToken);

        public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
    }
}
