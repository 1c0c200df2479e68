namespace Tasks.Workers;

/// <summary>One task held by a worker until it is settled by exactly one of the methods.</summary>
public interface ITaskDelivery
{
    /// <summary>The delivered envelope.</summary>
    TaskEnvelope Envelope { get; }

    /// <summary>Done with it: remove it for good.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Failed, with another attempt due: schedule <paramref name="next"/> and remove this one, atomically where the engine allows.</summary>
    Task RetryAsync(TaskEnvelope next, CancellationToken cancellationToken);

    /// <summary>Not run (the worker is stopping): put it back where it came from at once.</summary>
    Task AbandonAsync(CancellationToken cancellationToken);
}
