namespace Tasks.Redis.Internal;

/// <summary>
/// Results in Redis, one hash per task (<c>&lt;prefix&gt;:t:&lt;id&gt;</c>), readable from any process. Compare-and-set is a
/// Lua script on the hash's version field; a final status starts the retention clock (EXPIRE).
/// </summary>
internal sealed class RedisTaskResultStore(RedisQueueClient client) : ITaskResultStore
{
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) =>
        results.Count == 0 ? Task.CompletedTask : client.CreateAsync(results);

    public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        client.FindAsync(id, cancellationToken);

    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default) =>
        client.CompareAndSetAsync(result, expectedVersion, leaseToken: null);

    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) =>
        ids.Count == 0 ? Task.CompletedTask : client.DeleteAsync(ids);
}
