using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The Tasks half of <see cref="QuartzRow"/>: a <see cref="TasksSide"/> whose schema is created first and dropped when the harness is done with it.</summary>
public sealed class QuartzTasksSide(SideContext context, TasksSide inner, string schema) : IBenchmarkSide
{
    private bool _initialized;

    /// <inheritdoc />
    public string Api => inner.Api;

    /// <inheritdoc />
    public bool InProcessOnly => inner.InProcessOnly;

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await QuartzBenchSchema.CreateAsync(context, schema, cancellationToken).ConfigureAwait(false);
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
            await QuartzBenchSchema.DropAsync(context, schema, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
