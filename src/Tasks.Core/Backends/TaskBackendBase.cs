namespace Tasks;

/// <summary>
/// The usual shape of a backend: results in an <see cref="ITaskResultStore"/>, envelopes moved by the engine.
/// A derived class implements <see cref="DispatchAsync"/> (and may override the rest for one-round-trip paths).
/// </summary>
public abstract class TaskBackendBase : ITaskBackend
{
    /// <summary>Creates the backend.</summary>
    protected TaskBackendBase(string alias, ITaskResultStore results, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        Alias = alias;
        Results = results;
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Alias { get; }

    /// <inheritdoc />
    public abstract TaskBackendCapabilities Capabilities { get; }

    /// <inheritdoc />
    public virtual IReadOnlyCollection<string>? Queues => null;

    /// <summary>Where this backend keeps results.</summary>
    public ITaskResultStore Results { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Hands envelopes to the engine (first delivery or a retry). Throw <see cref="TaskBackendUnavailableException"/> if the engine cannot be reached.</summary>
    public abstract Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default);

    /// <summary>Called after a task was marked cancelled, so the engine can drop its copy; the worker skips cancelled tasks anyway.</summary>
    protected virtual Task OnCancelledAsync(string id, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<TaskResult> EnqueueAsync(TaskEnvelope envelope, CancellationToken cancellationToken = default)
    {
        var results = await EnqueueManyAsync([envelope], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var e in envelopes)
        {
            TaskValidation.Validate(e, this);
        }

        var results = new TaskResult[envelopes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = TaskResult.ForEnqueued(envelopes[i], Alias);
        }

        // The result exists before the engine can deliver the task, so a fast worker always finds it.
        await Results.CreateAsync(results, cancellationToken).ConfigureAwait(false);
        try
        {
            await DispatchAsync(envelopes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not delivered: remove the Ready records so nobody waits for a task that will never run.
            try
            {
                await Results.DeleteAsync(results.Select(r => r.Id).ToArray(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The store is likely down too; the dispatch error below is the one the caller must see.
            }

            throw;
        }

        return results;
    }

    /// <inheritdoc />
    public virtual async Task<TaskResult> GetResultAsync(string id, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateId(id, Alias);
        return await Results.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new TaskNotFoundException(id, Alias);
    }

    /// <inheritdoc />
    public virtual async Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default)
    {
        var current = await GetResultAsync(id, cancellationToken).ConfigureAwait(false);
        if (current.Status != TaskResultStatus.Ready)
        {
            return false;
        }

        var cancelled = current with { Status = TaskResultStatus.Cancelled, FinishedAt = Time.GetUtcNow(), Version = current.Version + 1 };
        if (!await Results.TryUpdateAsync(cancelled, current.Version, cancellationToken).ConfigureAwait(false))
        {
            return false; // a worker started it first
        }

        await OnCancelledAsync(id, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
