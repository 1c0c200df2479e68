namespace Tasks.Workers;

/// <summary>The pull side of a backend, used by <see cref="PullTaskWorker"/>: hands out due tasks one at a time.</summary>
public interface ITaskReceiver : IAsyncDisposable
{
    /// <summary>Waits for the next due task of the worker's queues, highest priority first; the task is held for this worker until settled.</summary>
    /// <exception cref="OperationCanceledException">The worker is stopping.</exception>
    Task<ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called once when the worker stops taking tasks, while its running tasks may still finish: a receiver that takes
    /// tasks ahead of its callers puts those back now, so other workers need not wait for them to be recovered.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting (what is not put back is recovered as after a crash).</param>
    Task StopReceivingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
