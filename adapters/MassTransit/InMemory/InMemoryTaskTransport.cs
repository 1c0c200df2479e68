using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks.Execution;
using Tasks.Workers;

namespace Tasks.MassTransit.InMemory;

/// <summary>
/// The in-memory side of a backend. MassTransit's in-memory transport allows one receive endpoint per queue in a bus and has
/// no priorities, so its endpoints hand tasks to a dispatcher and the workers pull from it (several per queue, priority order).
/// </summary>
internal sealed class InMemoryTaskTransport(MassTransitInMemoryTransport transport, bool ownsTransport, string prefix, TimeProvider time) : ITaskTransport
{
    public TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background;

    public string EndpointName(string queue) => $"{prefix}-{queue}";

    public Task SendAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken) =>
        transport.SendAsync(envelopes, EndpointName, time, cancellationToken);

    public async Task ConnectAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        foreach (var queue in queues.Distinct(StringComparer.Ordinal))
        {
            await transport.GetEndpointAsync(EndpointName(queue), time, cancellationToken).ConfigureAwait(false);
        }
    }

    public ITaskWorker CreateWorker(MassTransitTaskBackend backend, TaskWorkerOptions options, IServiceProvider services)
    {
        var executor = services.GetRequiredService<TaskExecutor>();
        var logger = services.GetService<ILogger<PullTaskWorker>>() ?? NullLogger<PullTaskWorker>.Instance;
        var context = new TaskExecutionContext(backend.Alias, options.WorkerId ?? WorkerIds.Create(), backend.Results);
        var endpoints = options.Queues.Select(EndpointName).Distinct(StringComparer.Ordinal).ToArray();
        return new PullTaskWorker(new Receiver(this, endpoints), executor, context, options, logger, time);
    }

    public async ValueTask DisposeAsync()
    {
        if (ownsTransport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Receiver(InMemoryTaskTransport owner, string[] endpoints) : ITaskReceiver
    {
        private bool _connected;

        public async Task<ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken)
        {
            if (!_connected)
            {
                // Endpoints exist from the first send or the first worker, whichever comes first.
                foreach (var name in endpoints)
                {
                    await owner.Transport.GetEndpointAsync(name, owner.Time, cancellationToken).ConfigureAwait(false);
                }

                _connected = true;
            }

            return new Delivery(owner, await owner.Transport.Dispatcher.TakeAsync(endpoints, cancellationToken).ConfigureAwait(false));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Delivery(InMemoryTaskTransport owner, TaskEnvelope envelope) : ITaskDelivery
    {
        public TaskEnvelope Envelope => envelope;

        public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RetryAsync(TaskEnvelope next, CancellationToken cancellationToken) => owner.SendAsync([next], cancellationToken);

        public Task AbandonAsync(CancellationToken cancellationToken) => owner.SendAsync([envelope with { RunAfter = null }], cancellationToken);
    }

    private MassTransitInMemoryTransport Transport => transport;

    private TimeProvider Time => time;
}
