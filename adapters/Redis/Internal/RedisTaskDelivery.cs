using Tasks.Workers;

namespace Tasks.Redis.Internal;

/// <summary>A task held by one worker under a lease token until settled.</summary>
internal sealed class RedisTaskDelivery(RedisTaskReceiver receiver, TaskEnvelope envelope, string token) : ITaskDelivery
{
    private int _settled;

    public TaskEnvelope Envelope => envelope;

    /// <summary>The lease token: only the holder of the current lease can settle or renew the task.</summary>
    public string Token => token;

    /// <summary>Whether the lease was released already (e.g. with the final result write).</summary>
    public bool IsSettled => Volatile.Read(ref _settled) == 1;

    public void MarkSettled() => Volatile.Write(ref _settled, 1);

    public Task CompleteAsync(CancellationToken cancellationToken) => receiver.SettleAsync(this, "ack", null);

    public Task RetryAsync(TaskEnvelope next, CancellationToken cancellationToken) => receiver.SettleAsync(this, "retry", next);

    public Task AbandonAsync(CancellationToken cancellationToken) => receiver.SettleAsync(this, "back", null);
}
