namespace Tasks.Quartz;

/// <summary>
/// The pipeline's Running record of one first delivery, written only if the task is still running after a delay.
/// The pipeline's next write (Succeeded, Failed, a retry, or Ready again when abandoned) goes through
/// <see cref="ThenAsync"/>, which stops the pending write or waits for it and then compare-and-sets against the record
/// actually stored, so the two writes never race and a fast task costs one write instead of two.
/// </summary>
internal sealed class DeferredRunningWrite
{
    private readonly ITaskResultStore _store;
    private readonly TaskResult _running;
    private readonly long _expectedVersion;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<Outcome> _write;

    /// <summary>Starts the delay; <paramref name="onFailed"/> hears a write that threw (the next write then copes with either state).</summary>
    public DeferredRunningWrite(ITaskResultStore store, TaskResult running, long expectedVersion, TimeSpan delay, TimeProvider time, Action<Exception> onFailed)
    {
        _store = store;
        _running = running;
        _expectedVersion = expectedVersion;
        _write = WriteLaterAsync(delay, time, onFailed);
    }

    private enum Outcome
    {
        NotWritten,
        Written,
        Refused,
        Unknown,
    }

    /// <summary>The pipeline's next compare-and-set, made against the record the store really holds.</summary>
    /// <param name="next">The record the pipeline writes next.</param>
    /// <param name="expectedVersion">The version the pipeline expects: its Running record's.</param>
    /// <param name="cancellationToken">Passed to the store.</param>
    public async Task<bool> ThenAsync(TaskResult next, long expectedVersion, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        var outcome = await _write.ConfigureAwait(false);
        _stop.Dispose();
        switch (outcome)
        {
            case Outcome.Written:
                return await _store.TryUpdateAsync(next, expectedVersion, cancellationToken).ConfigureAwait(false);
            case Outcome.Refused:
                return false; // the stored record changed under the task: the pipeline's own set would have failed too
            case Outcome.NotWritten:
                return await _store.TryUpdateAsync(next, _expectedVersion, cancellationToken).ConfigureAwait(false);
            default:
                // The Running write threw, yet may have been applied: whichever record is stored, replace it.
                return await _store.TryUpdateAsync(next, _expectedVersion, cancellationToken).ConfigureAwait(false)
                    || await _store.TryUpdateAsync(next, expectedVersion, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Outcome> WriteLaterAsync(TimeSpan delay, TimeProvider time, Action<Exception> onFailed)
    {
        try
        {
            await Task.Delay(delay, time, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Outcome.NotWritten;
        }

        try
        {
            return await _store.TryUpdateAsync(_running, _expectedVersion, CancellationToken.None).ConfigureAwait(false) ? Outcome.Written : Outcome.Refused;
        }
        catch (Exception ex)
        {
            onFailed(ex);
            return Outcome.Unknown;
        }
    }
}
