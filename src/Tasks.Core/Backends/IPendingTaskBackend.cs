namespace Tasks;

/// <summary>
/// The optional <see cref="TaskBackendCapabilities.ListPending"/> capability: list and remove tasks that have not
/// started (ready, deferred or waiting for a retry). It is what moves queued work from one engine to another.
/// </summary>
public interface IPendingTaskBackend : ITaskBackend
{
    /// <summary>Every task not yet started, optionally of one queue, as envelopes ready to hand to another backend.</summary>
    IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a task (and its result) if it has still not started; <see langword="false"/> if it started, finished or is gone.</summary>
    Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default);
}
