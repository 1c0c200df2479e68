namespace Tasks;

/// <summary>A worker running tasks of one backend in this process.</summary>
public interface ITaskWorker : IAsyncDisposable
{
    /// <summary>The worker's id, recorded in results.</summary>
    string Id { get; }

    /// <summary>Starts taking tasks.</summary>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops gracefully: takes no new task, lets running ones finish within the shutdown timeout, then interrupts and requeues the rest.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);
}
