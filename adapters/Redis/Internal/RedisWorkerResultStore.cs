using System.Collections.Concurrent;

namespace Tasks.Redis.Internal;

/// <summary>
/// The result store one worker's pipeline sees. It saves round trips on the hot path: the result read by the take script
/// is handed to the pipeline's first read, the attempt's start is recorded only if the task still runs after
/// <see cref="RedisTaskBackendOptions.RunningStatusDelay"/> and without the pipeline waiting for it (below), and the final
/// write also releases the delivery's lease (so the acknowledgement costs nothing more). Calls survive short connection
/// drops; a call that still fails leaves the task to be reaped.
/// </summary>
/// <remarks>
/// Why the start need be neither awaited nor written at once: the take script read the result's version in the same step
/// that leased the task to this worker, and while the lease is held nothing else may change that result (cancel, pending
/// removal and delete refuse leased tasks; only the reaper takes a task back, after its lease expired). So the start
/// compare-and-set cannot be refused for a reason that should keep the handler from running, and the lease, not the
/// Running record, is what keeps a started task from being cancelled. <see cref="DeferredRunningWrite"/> holds the start
/// until the delay runs out; the delivery's next write stops it or waits for it, so it expects the version really stored.
/// A task the reaper put back is marked Running at once, so a task that kills its worker is still counted.
/// </remarks>
internal sealed class RedisWorkerResultStore(RedisQueueClient client, RedisTaskReceiver receiver) : ITaskResultStore
{
    private readonly ConcurrentDictionary<string, TaskResult> _prefetched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeferredRunningWrite> _starts = new(StringComparer.Ordinal);

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

    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        if (_starts.TryRemove(result.Id, out var start))
        {
            return start.ThenAsync(expectedVersion, (version, ct) => WriteAsync(result, version), cancellationToken);
        }

        var delivery = receiver.Held(result.Id);
        if (delivery is not null && result.Status == TaskResultStatus.Running && delivery.TryClaimStart(expectedVersion))
        {
            var delay = delivery.Recovered ? TimeSpan.Zero : client.Options.RunningStatusDelay;
            _starts[result.Id] = new DeferredRunningWrite(
                expectedVersion,
                (version, _) => client.CompareAndSetAsync(result, version, null),
                delay,
                client.Time,
                ex => RedisLog.StartWriteFailed(client.Logger, ex, client.Backend, result.Id));
            return Task.FromResult(true);
        }

        return WriteAsync(result, expectedVersion);
    }

    private async Task<bool> WriteAsync(TaskResult result, long expectedVersion)
    {
        var finalFor = result.IsFinished ? receiver.Held(result.Id) : null;
        finalFor?.SetFinishing(true);
        try
        {
            var updated = await Guard(result.Id, () => client.CompareAndSetAsync(result, expectedVersion, finalFor?.Token)).ConfigureAwait(false);
            if (updated && finalFor is not null)
            {
                // The script released the lease with the final write: the acknowledgement is done.
                receiver.Settled(finalFor);
            }

            return updated;
        }
        finally
        {
            finalFor?.SetFinishing(false);
        }
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
