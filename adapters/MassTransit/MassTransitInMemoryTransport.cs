using System.Collections.Concurrent;
using global::MassTransit;
using Tasks.MassTransit.InMemory;

namespace Tasks.MassTransit;

/// <summary>
/// MassTransit's in-memory transport for <see cref="MassTransitTaskBackend"/>: one in-memory bus, a receive endpoint per task
/// queue, and a dispatcher that hands the received tasks to the workers of this process in priority order. Tasks live only in
/// this process. A backend makes its own unless <see cref="MassTransitTaskBackendOptions.InMemoryTransport"/> shares one (e.g.
/// between a client host and a worker host of one test); whoever creates it disposes it.
/// </summary>
public sealed class MassTransitInMemoryTransport : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, ISendEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _handOffs = new();
    private IBusControl? _bus;
    private bool _disposed;

    /// <summary>Tasks received and waiting for a worker.</summary>
    public int PendingCount => Dispatcher.Count;

    internal InMemoryDispatcher Dispatcher { get; } = new();

    /// <summary>Stops the bus; tasks not yet run are lost, as with any in-memory queue.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_bus is { } bus)
            {
                _bus = null;
                await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            // Nobody will hand these off any more; their senders must not wait for ever.
            foreach (var pending in _handOffs.Values)
            {
                pending.TrySetException(new ObjectDisposedException(nameof(MassTransitInMemoryTransport), "The in-memory transport was disposed before the task reached a worker queue."));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends envelopes in order to <paramref name="endpointName"/>'s endpoint; a future run-after becomes MassTransit's transport delay.</summary>
    internal async Task SendAsync(IReadOnlyList<TaskEnvelope> envelopes, Func<string, string> endpointName, TimeProvider time, CancellationToken cancellationToken)
    {
        foreach (var envelope in envelopes)
        {
            var endpoint = await GetEndpointAsync(endpointName(envelope.Queue), time, cancellationToken).ConfigureAwait(false);
            var delay = envelope.RunAfter - time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                await endpoint.Send(TaskEnvelopeMessage.From(envelope), new TaskSendPipe(null, null, delay), cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Return only once the task is in the dispatcher, as a RabbitMQ confirm means it is in the queue: a worker
            // started right after a backlog is enqueued then sees all of it and picks by priority.
            var messageId = Guid.NewGuid();
            var handedOff = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _handOffs[messageId] = handedOff;
            try
            {
                await endpoint.Send(TaskEnvelopeMessage.From(envelope), new TaskSendPipe(null, null, null, messageId), cancellationToken).ConfigureAwait(false);
                await handedOff.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _handOffs.TryRemove(messageId, out _);
            }
        }
    }

    /// <summary>Connects the receive endpoint of <paramref name="name"/> (once) and returns its send endpoint.</summary>
    internal async ValueTask<ISendEndpoint> GetEndpointAsync(string name, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_endpoints.TryGetValue(name, out var ready))
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_endpoints.TryGetValue(name, out ready))
            {
                return ready;
            }

            if (_bus is null)
            {
                var created = Bus.Factory.CreateUsingInMemory(_ => { });
                await created.StartAsync(cancellationToken).ConfigureAwait(false);
                _bus = created;
            }

            var bus = _bus;
            var handle = bus.ConnectReceiveEndpoint(name, e =>
            {
                e.ConfigureConsumeTopology = false;

                // One at a time, so tasks reach the dispatcher in the order they were sent.
                e.ConcurrentMessageLimit = 1;
                e.Handler<TaskEnvelopeMessage>(async context =>
                {
                    var envelope = context.Message.ToEnvelope();
                    var early = envelope.RunAfter - time.GetUtcNow();
                    if (early > TimeSpan.Zero)
                    {
                        var self = await context.GetSendEndpoint(context.ReceiveContext.InputAddress).ConfigureAwait(false);
                        await self.Send(context.Message, new TaskSendPipe(null, null, early), CancellationToken.None).ConfigureAwait(false);
                        return;
                    }

                    Dispatcher.Add(name, envelope);
                    if (context.MessageId is { } id && _handOffs.TryRemove(id, out var handedOff))
                    {
                        handedOff.TrySetResult();
                    }
                });
            });
            await handle.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            ready = await bus.GetSendEndpoint(new Uri($"queue:{name}")).ConfigureAwait(false);
            _endpoints[name] = ready;
            return ready;
        }
        finally
        {
            _gate.Release();
        }
    }
}
