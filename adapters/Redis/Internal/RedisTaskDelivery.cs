using Tasks.Workers;

namespace Tasks.Redis.Internal;

/// <summary>A task held by one worker under a lease token until settled.</summary>
internal sealed class RedisTaskDelivery(RedisTaskReceiver receiver, TaskEnvelope envelope, string token, long takenVersion, bool recovered) : ITaskDelivery
{
    private int _settled;
    private int _startClaimed;
    private int _finishing;
    private int _abandoned;

    public TaskEnvelope Envelope => envelope;

    /// <summary>The lease token: only the holder of the current lease can settle or renew the task.</summary>
    public string Token => token;

    /// <summary>Whether the reaper put this task back before, because the worker running it died.</summary>
    public bool Recovered => recovered;

    /// <summary>Whether the lease was released already (e.g. with the final result write).</summary>
    public bool IsSettled => Volatile.Read(ref _settled) == 1;

    /// <summary>Whether a final result write, which also releases the lease, is in flight.</summary>
    public bool IsFinishing => Volatile.Read(ref _finishing) == 1;

    /// <summary>Whether this worker gave up on the delivery after a failed call: only the reaper may put it back then.</summary>
    public bool IsAbandoned => Volatile.Read(ref _abandoned) == 1;

    public void MarkSettled() => Volatile.Write(ref _settled, 1);

    /// <summary>Notes that this worker gave up on the delivery (see <see cref="IsAbandoned"/>).</summary>
    public void MarkAbandoned() => Volatile.Write(ref _abandoned, 1);

    /// <summary>Notes that a final result write (which releases the lease) is in flight, or no longer is.</summary>
    public void SetFinishing(bool finishing) => Volatile.Write(ref _finishing, finishing ? 1 : 0);

    /// <summary>
    /// Claims the right to record the attempt's start without waiting: once per delivery, and only against the version the
    /// take script read together with granting the lease.
    /// </summary>
    public bool TryClaimStart(long expectedVersion) =>
        expectedVersion == takenVersion && Interlocked.Exchange(ref _startClaimed, 1) == 0;

    public Task CompleteAsync(CancellationToken cancellationToken) => receiver.SettleAsync(this, "ack", null);

    public Task RetryAsync(TaskEnvelope next, CancellationToken cancellationToken) => receiver.SettleAsync(this, "retry", next);

    public Task AbandonAsync(CancellationToken cancellationToken) => receiver.SettleAsync(this, "back", null);
}
