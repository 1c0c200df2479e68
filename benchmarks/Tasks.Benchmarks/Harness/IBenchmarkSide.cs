namespace Tasks.Benchmarks.Harness;

/// <summary>
/// One half of a row: an API that enqueues no-op tasks and a consumer that runs them. The harness creates a side in
/// its own process (producer only) and again in each worker process (consumer; and producer too when
/// <see cref="InProcessOnly"/>). <see cref="TasksSide"/> is the Tasks half for every backend; a native half
/// implements this interface (or derives from <see cref="BenchmarkSide"/>).
/// </summary>
public interface IBenchmarkSide : IAsyncDisposable
{
    /// <summary>What is measured, for the table (e.g. "StackExchange.Redis LPUSH / BRPOP").</summary>
    string Api { get; }

    /// <summary>Whether producer and consumer must share one process (an in-process queue). The harness then enqueues inside the worker process, whose memory figure then includes the producer.</summary>
    bool InProcessOnly { get; }

    /// <summary>Connects. Throw <see cref="BenchmarkSetupException"/> naming <c>scripts/servers.sh start</c> when a server cannot be reached.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Deletes every task and result of this run (<see cref="SideContext.RunId"/>) so the next measurement starts empty; called while no consumer runs.</summary>
    Task ResetAsync(CancellationToken cancellationToken);

    /// <summary>A producer. Not timed.</summary>
    Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken);

    /// <summary>Starts running tasks with <see cref="SideContext.Concurrency"/>; for each one call <see cref="WorkCounter.Started"/> when its handler starts and <see cref="WorkCounter.Succeeded"/> once the engine counts it as succeeded. Disposing the result stops the consumer.</summary>
    Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken);
}
