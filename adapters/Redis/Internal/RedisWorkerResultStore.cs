using System.Collections.Concurrent;

namespace Tasks.Redis.Internal;

/// <summary>
/// The result store one worker's pipeline sees. It saves round trips on the hot path: the result read by the take script
/// is handed to the pipeline's first read, and the final write also releases the delivery's lease (so the acknowledgement
/// costs nothing more). Calls survive short connection drops; a call that still fails leaves the task to be reaped.
/// </summary>
internal sealed class RedisWorkerResultStore(RedisQueueClient client, RedisTaskReceiver receiver) : ITaskResultStore
{
    private readonly ConcurrentDictionary<string, TaskResult> _prefetched = new(StringComparer.Ordinal);

    /// <summary>Remembers the result the take returned, for the pipeline's first read of it.</summary>
    public void Prefetch(TaskResult result) => _prefetched[result.Id] = result;

    /// <summary>Forgets a prefetched result (the delivery went back unrun).</summary>
    public void Forget(string id) => _prefetched.TryRemove(id, out _);

    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) =>
        Guard(results.Count == 1 ? results[0].Id : null, async () =>
        {
            await client.CreateAsync(results).ConfigureAwait(false);
            return true;
        });

    public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        _prefetched.TryRemove(id, out var result)
            ? Task.FromResult<TaskResult?>(result)
            : Guard(id, () => client.FindAsync(id, CancellationToken.None));

    public async Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var delivery = result.IsFinished ? receiver.Held(result.Id) : null;
        var updated = await Guard(result.Id, () => client.CompareAndSetAsync(result, expectedVersion, delivery?.Token)).ConfigureAwait(false);
        if (updated && delivery is not null)
        {
            // The script released the lease with the final write: the acknowledgement is done.
            receiver.Settled(delivery);
        }

        return updated;
    }

    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) =>
        ids.Count == 0 ? Task.CompletedTask : client.DeleteAsync(ids);

    private async Task<T> Guard<T>(string? id, Func<Task<T>> call)
    {
        try
        {
            return await RedisRetry.RunAsync(call, client.Options.VisibilityTimeout, client.Time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception) when (id is not null)
        {
            // The pipeline gives up on this delivery: stop renewing it, so any worker puts it back after the visibility timeout.
            receiver.Abandoned(id);
            throw;
        }
    }
}
