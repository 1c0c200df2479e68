using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The Tasks half of <see cref="MassTransitRow"/>: a <see cref="TasksSide"/> that checks both servers first and deletes the run's RabbitMQ entities and results schema when the harness is done with it.</summary>
public sealed class MassTransitTasksSide(SideContext context, TasksSide inner) : IBenchmarkSide
{
    private bool _initialized;

    /// <inheritdoc />
    public string Api => inner.Api;

    /// <inheritdoc />
    public bool InProcessOnly => inner.InProcessOnly;

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await (await MassTransitBenchEntities.ConnectAsync(context, cancellationToken).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        await MassTransitBenchEntities.RequirePostgresAsync(context, cancellationToken).ConfigureAwait(false);
        await inner.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _initialized = true;
    }

    /// <inheritdoc />
    public Task ResetAsync(CancellationToken cancellationToken) => inner.ResetAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken) => inner.CreateProducerAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken) => inner.StartConsumerAsync(counter, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        if (!context.InWorkerProcess && _initialized)
        {
            await MassTransitBenchEntities.DeleteAsync(context, MassTransitBenchEntities.TasksQueues(context), MassTransitBenchEntities.TasksExchanges(context), CancellationToken.None).ConfigureAwait(false);
            await MassTransitBenchEntities.DropSchemaAsync(context, MassTransitBenchEntities.TasksSchema(context), CancellationToken.None).ConfigureAwait(false);
        }
    }
}
