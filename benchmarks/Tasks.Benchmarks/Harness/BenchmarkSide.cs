namespace Tasks.Benchmarks.Harness;

/// <summary>A base for native sides: nothing to connect, reset or dispose unless overridden.</summary>
public abstract class BenchmarkSide : IBenchmarkSide
{
    /// <inheritdoc />
    public abstract string Api { get; }

    /// <inheritdoc />
    public virtual bool InProcessOnly => false;

    /// <inheritdoc />
    public virtual Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task ResetAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public abstract Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
