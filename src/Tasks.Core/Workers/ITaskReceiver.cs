namespace Tasks.Workers;

/// <summary>The pull side of a backend, used by <see cref="PullTaskWorker"/>: hands out due tasks one at a time.</summary>
public interface ITaskReceiver : IAsyncDisposable
{
    /// <summary>Waits for the next due task of the worker's queues, highest priority first; the task is held for this worker until settled.</summary>
    /// <exception cref="OperationCanceledException">The worker is stopping.</exception>
    Task<ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken);
}
