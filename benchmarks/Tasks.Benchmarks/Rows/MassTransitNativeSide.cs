using MassTransit;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The native side of <see cref="MassTransitRow"/>: MassTransit used directly on the same RabbitMQ. The producer is a started
/// bus that sends <see cref="MassTransitBenchMessage"/> to the queue's send endpoint (persistent messages, publisher
/// confirms: MassTransit's defaults, set explicitly as the adapter sets them); bulk is MassTransit's <c>SendBatch</c>. The
/// consumer is a bus with one receive endpoint, prefetch and concurrent message limit = Concurrency, and a no-op
/// <see cref="MassTransitNoopConsumer"/>. No result is kept anywhere: MassTransit has none.
/// </summary>
public sealed class MassTransitNativeSide(SideContext context) : BenchmarkSide
{
    private readonly string _queue = MassTransitBenchEntities.NativeQueue(context);
    private IBusControl? _producerBus;
    private ISendEndpoint? _endpoint;
    private bool _initialized;

    /// <inheritdoc />
    public override string Api => "MassTransit ISendEndpoint.Send + IConsumer";

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await (await MassTransitBenchEntities.ConnectAsync(context, cancellationToken).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        _initialized = true;
    }

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken) =>
        MassTransitBenchEntities.PurgeAsync(context, MassTransitBenchEntities.EndpointQueues(_queue), cancellationToken);

    /// <inheritdoc />
    public override async Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken)
    {
        // One sending bus for the side's lifetime, started (and the endpoint resolved) in the first, untimed call.
        if (_endpoint is null)
        {
            var bus = CreateBus();
            await bus.StartAsync(cancellationToken).ConfigureAwait(false);
            _producerBus = bus;
            _endpoint = await bus.GetSendEndpoint(new Uri($"queue:{_queue}")).ConfigureAwait(false);
        }

        return new Producer(_endpoint);
    }

    /// <inheritdoc />
    public override async Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken)
    {
        var bus = CreateBus(cfg => cfg.ReceiveEndpoint(_queue, e =>
        {
            // As the adapter's endpoints: only what is sent to the queue, no binding of the message type's exchange.
            e.ConfigureConsumeTopology = false;
            e.PrefetchCount = context.Concurrency;
            e.ConcurrentMessageLimit = context.Concurrency;
            e.Consumer(() => new MassTransitNoopConsumer(counter));
        }));
        await bus.StartAsync(cancellationToken).ConfigureAwait(false);
        return new Consumer(bus);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_producerBus is not null)
        {
            await _producerBus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (!context.InWorkerProcess && _initialized)
        {
            var queues = MassTransitBenchEntities.EndpointQueues(_queue).ToArray();
            await MassTransitBenchEntities.DeleteAsync(context, queues, queues, CancellationToken.None).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private IBusControl CreateBus(Action<IRabbitMqBusFactoryConfigurator>? configure = null)
    {
        var uri = new Uri(context.Servers.RequireRabbitMq());
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        var password = Uri.UnescapeDataString(uri.UserInfo.Split(':').ElementAtOrDefault(1) ?? "");
        var vhost = uri.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(uri.AbsolutePath[1..]) : "/";
        return Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), vhost, h =>
            {
                h.Username(user);
                h.Password(password);
                h.PublisherConfirmation = true;
            });
            configure?.Invoke(cfg);
        });
    }

    private sealed class Producer(ISendEndpoint endpoint) : IBenchmarkProducer
    {
        public Task EnqueueAsync(long sent, CancellationToken cancellationToken) => endpoint.Send(new MassTransitBenchMessage(sent), cancellationToken);

        public Task EnqueueManyAsync(int count, CancellationToken cancellationToken) =>
            endpoint.SendBatch(Enumerable.Range(0, count).Select(_ => new MassTransitBenchMessage(0)), cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Consumer(IBusControl bus) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
