using System.Collections.Concurrent;

namespace Tasks.Redis.Internal;

/// <summary>
/// The result store one worker's pipeline sees. It saves round trips on the hot path: the result read by the take script
/// is handed to the pipeline's first read, the attempt's start is recorded without waiting for the reply (below), and the
/// final write also releases the delivery's lease (so the acknowledgement costs nothing more). Calls survive short
/// connection drops; a call that still fails leaves the task to be reaped.
/// </summary>
/// <remarks>
/// Why the start need not be awaited: the take script read the result's version in the same step that leased the task to
/// this worker, and while the lease is held nothing else may change that result (cancel, pending removal and delete refuse
/// leased tasks; only the reaper takes a task back, after its lease expired). So the start compare-and-set cannot be
/// refused for a reason that should keep the handler from running. Writes go out in order on one connection, so the
/// final write always lands after it; if the start write failed, the final one is refused and reported as that failure.
/// </remarks>
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
        var delivery = receiver.Held(result.Id);
        if (delivery is not null && result.Status == TaskResultStatus.Running && delivery.TryClaimStart(expectedVersion))
        {
            var write = client.CompareAndSetAsync(result, expectedVersion, null);
            delivery.SetStartWrite(write);
            _ = write.ContinueWith(
                static (t, state) =>
                {
                    var (queueClient, id) = ((RedisQueueClient, string))state!;
                    RedisLog.StartWriteFailed(queueClient.Logger, t.Exception!.GetBaseException(), queueClient.Backend, id);
                },
                (client, result.Id),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return true;
        }

        var finalFor = result.IsFinished ? delivery : null;
        bool updated;
        finalFor?.SetFinishing(true);
        try
        {
            updated = await Guard(result.Id, () => client.CompareAndSetAsync(result, expectedVersion, finalFor?.Token)).ConfigureAwait(false);
            if (updated && finalFor is not null)
            {
                // The script released the lease with the final write: the acknowledgement is done.
                receiver.Settled(finalFor);
            }
        }
        finally
        {
            finalFor?.SetFinishing(false);
        }

        if (!updated && delivery?.StartWrite is { } start)
        {
            try
            {
                // Already complete: it went out before this write, on the same connection.
                await start.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The start was never confirmed, so this refusal says nothing about the task: leave it to the reaper.
                receiver.Abandoned(result.Id);
                throw;
            }
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
