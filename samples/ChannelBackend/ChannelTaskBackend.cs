using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks;
using Tasks.Backends;
using Tasks.Execution;
using Tasks.Workers;

namespace Contoso.Tasks.Channels;

/// <summary>
/// A deliberately small backend: one FIFO channel per queue, results in memory. It declares no priority, no
/// run-after and no cancel, so the conformance suite checks that those are refused with TaskNotSupportedException.
/// </summary>
public sealed class ChannelTaskBackend(string alias) : TaskBackendBase(alias, new InMemoryTaskResultStore()), ITaskWorkerFactory
{
    private readonly ConcurrentDictionary<string, Channel<TaskEnvelope>> _queues = new();

    public override TaskBackendCapabilities Capabilities => TaskBackendCapabilities.Results | TaskBackendCapabilities.Background;

    public override async Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var e in envelopes)
        {
            if (e.RunAfter is { } at && at > DateTimeOffset.UtcNow)
            {
                // Only retries carry a run-after here (enqueue refuses it): hold them until due.
                _ = DelayedWriteAsync(e, at - DateTimeOffset.UtcNow);
                continue;
            }

            await Queue(e.Queue).Writer.WriteAsync(e, cancellationToken);
        }
    }

    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services) => new PullTaskWorker(
        new Receiver(options.Queues.Select(Queue).ToArray()),
        services.GetRequiredService<TaskExecutor>(),
        new TaskExecutionContext(Alias, options.WorkerId ?? WorkerIds.Create(), Results),
        options,
        services.GetService<ILogger<PullTaskWorker>>() ?? NullLogger<PullTaskWorker>.Instance);

    private Channel<TaskEnvelope> Queue(string name) => _queues.GetOrAdd(name, _ => Channel.CreateUnbounded<TaskEnvelope>());

    private async Task DelayedWriteAsync(TaskEnvelope e, TimeSpan delay)
    {
        await Task.Delay(delay);
        await Queue(e.Queue).Writer.WriteAsync(e with { RunAfter = null });
    }

    private sealed class Receiver(Channel<TaskEnvelope>[] channels) : ITaskReceiver
    {
        public async Task<ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                foreach (var c in channels)
                {
                    if (c.Reader.TryRead(out var envelope))
                    {
                        return new Delivery(c, envelope);
                    }
                }

                await Task.WhenAny(channels.Select(c => c.Reader.WaitToReadAsync(cancellationToken).AsTask()));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Delivery(Channel<TaskEnvelope> channel, TaskEnvelope envelope) : ITaskDelivery
    {
        public TaskEnvelope Envelope => envelope;

        public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task RetryAsync(TaskEnvelope next, CancellationToken cancellationToken)
        {
            var wait = next.RunAfter is { } at ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
            _ = Task.Run(async () =>
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                await channel.Writer.WriteAsync(next with { RunAfter = null });
            }, CancellationToken.None);
            await Task.CompletedTask;
        }

        public Task AbandonAsync(CancellationToken cancellationToken) => channel.Writer.WriteAsync(envelope, cancellationToken).AsTask();
    }
}
