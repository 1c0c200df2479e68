using System.Threading.Channels;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The native baseline of <see cref="InMemoryRow"/>: an unbounded channel of messages and Concurrency reader loops.</summary>
public sealed class ChannelSide(SideContext context) : BenchmarkSide
{
    private Channel<NoopMessage> _channel = NewChannel();

    /// <inheritdoc />
    public override string Api => "Channel<T> + reader loops";

    /// <inheritdoc />
    public override bool InProcessOnly => true;

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        _channel = NewChannel();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IBenchmarkProducer>(new Producer(_channel.Writer));

    /// <inheritdoc />
    public override Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, context.Concurrency).Select(_ => Task.Run(async () =>
        {
            try
            {
                while (await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var message))
                    {
                        counter.Started(message.Sent);
                        counter.Succeeded();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping.
            }
        })).ToArray();
        return Task.FromResult<IAsyncDisposable>(new Consumer(stop, loops));
    }

    private static Channel<NoopMessage> NewChannel() => Channel.CreateUnbounded<NoopMessage>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private sealed record NoopMessage(long Sent);

    private sealed class Producer(ChannelWriter<NoopMessage> writer) : IBenchmarkProducer
    {
        public Task EnqueueAsync(long sent, CancellationToken cancellationToken) => writer.WriteAsync(new NoopMessage(sent), cancellationToken).AsTask();

        public Task EnqueueManyAsync(int count, CancellationToken cancellationToken)
        {
            // A channel has no bulk write: a loop of writes is its fastest way.
            var message = new NoopMessage(0);
            for (var i = 0; i < count; i++)
            {
                if (!writer.TryWrite(message))
                {
                    throw new InvalidOperationException("the channel was completed");
                }
            }

            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Consumer(CancellationTokenSource stop, Task[] loops) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);
            stop.Dispose();
        }
    }
}
