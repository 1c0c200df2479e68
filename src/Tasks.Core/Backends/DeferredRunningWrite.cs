namespace Tasks;

/// <summary>
/// A delivery's Running record, written only if the task is still running after a delay: a task that finishes sooner
/// costs one result write (<c>Ready → Succeeded</c>) instead of two. For backends whose engine already keeps a started
/// task from being cancelled or taken twice (a lease, a row lock, an executing record), so the Running record is only
/// for people reading the status.
/// </summary>
/// <remarks>
/// The delivery's next write (Succeeded, Failed, a retry, or Ready again when abandoned) goes through
/// <see cref="ThenAsync"/>, which stops the pending write or waits for it, and then compare-and-sets against the version
/// actually stored: the two writes never race, and the next write never expects a record that was not written.
/// </remarks>
public sealed class DeferredRunningWrite
{
    // Waiting until the delay runs out, Stopped by the next write (Running never written), or Started (being written).
    private const int Waiting = 0;
    private const int Stopped = 1;
    private const int Started = 2;

    private readonly long _expectedVersion;
    private readonly Func<long, CancellationToken, Task<bool>> _writeRunning;
    private readonly Action<Exception> _onFailed;
    private readonly ITimer? _timer;
    private int _state;
    private Task<Outcome>? _write;

    /// <summary>Starts the delay.</summary>
    /// <param name="expectedVersion">The version the Running record replaces (its own compare-and-set expects it).</param>
    /// <param name="writeRunning">Writes the Running record, compare-and-set on the given version; called at most once.</param>
    /// <param name="delay">How long the task must run before its Running record is written; zero writes it at once.</param>
    /// <param name="time">The clock of the delay.</param>
    /// <param name="onFailed">Hears a Running write that threw; the next write then copes with either stored version.</param>
    public DeferredRunningWrite(long expectedVersion, Func<long, CancellationToken, Task<bool>> writeRunning, TimeSpan delay, TimeProvider time, Action<Exception> onFailed)
    {
        ArgumentNullException.ThrowIfNull(writeRunning);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(onFailed);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _expectedVersion = expectedVersion;
        _writeRunning = writeRunning;
        _onFailed = onFailed;
        if (delay == TimeSpan.Zero)
        {
            Start();
        }
        else
        {
            // A bare timer, not Task.Delay: most tasks finish first, and stopping a timer costs no exception or thread hop.
            _timer = time.CreateTimer(static state => ((DeferredRunningWrite)state!).Start(), this, delay, Timeout.InfiniteTimeSpan);
        }
    }

    private enum Outcome
    {
        NotWritten,
        Written,
        Refused,
        Unknown,
    }

    /// <summary>
    /// The delivery's next compare-and-set, made against the version the store really holds. Call it for the write that
    /// follows the Running record, and again for the delivery's following write if that one threw (the pipeline then
    /// writes another record expecting the Running record's version, which may never have been stored).
    /// </summary>
    /// <param name="expectedVersion">The version the next write expects: the Running record's.</param>
    /// <param name="writeNext">Writes the next record, compare-and-set on the given version.</param>
    /// <param name="cancellationToken">Passed to <paramref name="writeNext"/>.</param>
    /// <returns>Whether the next record was written; <see langword="false"/> when the stored record changed under the task.</returns>
    public Task<bool> ThenAsync(long expectedVersion, Func<long, CancellationToken, Task<bool>> writeNext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeNext);
        _timer?.Dispose();
        if (Interlocked.CompareExchange(ref _state, Stopped, Waiting) != Started)
        {
            // The usual case: the task finished within the delay (or an earlier call stopped the write), so the next
            // record replaces the one Running would have.
            return writeNext(_expectedVersion, cancellationToken);
        }

        return AfterRunningAsync(expectedVersion, writeNext, cancellationToken);
    }

    private async Task<bool> AfterRunningAsync(long expectedVersion, Func<long, CancellationToken, Task<bool>> writeNext, CancellationToken cancellationToken)
    {
        // Started, so _write was set before the state changed.
        var outcome = await Volatile.Read(ref _write)!.ConfigureAwait(false);
        return outcome switch
        {
            Outcome.Written => await writeNext(expectedVersion, cancellationToken).ConfigureAwait(false),

            // The stored record changed under the task: the pipeline's own compare-and-set would have failed too.
            Outcome.Refused => false,

            // The Running write threw, yet may have been applied: whichever version is stored, replace it.
            _ => await writeNext(_expectedVersion, cancellationToken).ConfigureAwait(false)
                || await writeNext(expectedVersion, cancellationToken).ConfigureAwait(false),
        };
    }

    private void Start()
    {
        var write = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _write, write.Task);
        if (Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting)
        {
            _ = WriteAsync(write);
        }
    }

    private async Task WriteAsync(TaskCompletionSource<Outcome> outcome)
    {
        try
        {
            outcome.SetResult(await _writeRunning(_expectedVersion, CancellationToken.None).ConfigureAwait(false) ? Outcome.Written : Outcome.Refused);
        }
        catch (Exception ex)
        {
            _onFailed(ex);
            outcome.SetResult(Outcome.Unknown);
        }
    }
}
