namespace Tasks.Benchmarks.Harness;

/// <summary>Enqueues no-op tasks. Created by <see cref="IBenchmarkSide.CreateProducerAsync"/>; creating it is not timed.</summary>
public interface IBenchmarkProducer : IAsyncDisposable
{
    /// <summary>Enqueues one no-op task that carries <paramref name="sent"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp, or 0) to its handler.</summary>
    Task EnqueueAsync(long sent, CancellationToken cancellationToken);

    /// <summary>Enqueues <paramref name="count"/> no-op tasks (sent = 0) the fastest way the API offers: one bulk call where it has one.</summary>
    Task EnqueueManyAsync(int count, CancellationToken cancellationToken);
}
