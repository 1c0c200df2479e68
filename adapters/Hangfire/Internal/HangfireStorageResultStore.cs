using System.Globalization;
using Hangfire;
using Hangfire.Storage;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Results in hashes of any Hangfire storage (used for Hangfire.InMemory and for an app's own <c>JobStorage</c>):
/// <c>tasks:result:&lt;id&gt;</c> with fields <c>data</c> (the result JSON), <c>version</c> and <c>job</c> (the Hangfire job id).
/// Compare-and-set holds the storage's distributed lock <c>tasks:result-lock:&lt;id&gt;</c>; finished results expire.
/// </summary>
internal sealed class HangfireStorageResultStore(JobStorage storage, TimeSpan expiration, TimeSpan lockTimeout, string backend) : IHangfireResultStore
{
    private const string DataField = "data";
    private const string VersionField = "version";
    private const string JobField = "job";

    public Task BeforeCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken) => CreateAsync(results, cancellationToken);

    public Task AfterCreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken)
    {
        // Only the job field: a worker that already started the task keeps its newer data.
        using var connection = storage.GetConnection();
        using var tx = connection.CreateWriteTransaction();
        foreach (var r in results)
        {
            tx.SetRangeInHash(Key(r.Id), [new(JobField, r.EngineId ?? string.Empty)]);
        }

        tx.Commit();
        return Task.CompletedTask;
    }

    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default)
    {
        using var connection = storage.GetConnection();
        using var tx = connection.CreateWriteTransaction();
        foreach (var r in results)
        {
            tx.SetRangeInHash(Key(r.Id), Fields(r));
        }

        tx.Commit();
        return Task.CompletedTask;
    }

    public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        using var connection = storage.GetConnection();
        return Task.FromResult(Find(connection, id));
    }

    public Task<IReadOnlyDictionary<string, TaskResult>> FindManyAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        // Hangfire's storage API reads one hash at a time (in process for InMemory).
        using var connection = storage.GetConnection();
        var found = new Dictionary<string, TaskResult>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Find(connection, id) is { } result)
            {
                found[id] = result;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, TaskResult>>(found);
    }

    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var key = Key(result.Id);
        using var connection = storage.GetConnection();
        using (connection.AcquireDistributedLock($"tasks:result-lock:{result.Id}", lockTimeout))
        {
            var fields = connection.GetAllEntriesFromHash(key);
            if (fields is null || !fields.TryGetValue(VersionField, out var v) || long.Parse(v, CultureInfo.InvariantCulture) != expectedVersion)
            {
                return Task.FromResult(false);
            }

            using var tx = connection.CreateWriteTransaction();
            tx.SetRangeInHash(key, Fields(result));
            if (result.IsFinished && tx is JobStorageTransaction expiring)
            {
                expiring.ExpireHash(key, expiration);
            }

            tx.Commit();
        }

        return Task.FromResult(true);
    }

    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        using var connection = storage.GetConnection();
        using var tx = connection.CreateWriteTransaction();
        foreach (var id in ids)
        {
            tx.RemoveHash(Key(id));
        }

        tx.Commit();
        return Task.CompletedTask;
    }

    public bool StatusFromJobs => false;

    /// <summary>The store itself; a run assumes the result the enqueue wrote, and the pipeline's compare-and-set finds out otherwise.</summary>
    public (ITaskResultStore Results, TaskResult? AsEnqueued) ForRun(TaskEnvelope envelope, string jobId, bool recovering, Action<Exception> onRunningWriteFailed) =>
        (this, TaskResult.ForEnqueued(envelope, backend) with { EngineId = jobId });

    /// <summary>The result only: the Deleted job stays in the dashboard until Hangfire expires it.</summary>
    public Task ForgetRemovedAsync(string id, string jobId, CancellationToken cancellationToken) => DeleteAsync([id], cancellationToken);

    public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken) => Task.FromResult(0); // the storage expires hashes itself

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static TaskResult? Find(IStorageConnection connection, string id)
    {
        var fields = connection.GetAllEntriesFromHash(Key(id));
        if (fields is null || !fields.TryGetValue(DataField, out var data))
        {
            return null;
        }

        var result = TaskJson.DeserializeResult(data);
        return fields.TryGetValue(JobField, out var job) && !string.IsNullOrEmpty(job) ? result with { EngineId = job } : result;
    }

    private static string Key(string id) => $"tasks:result:{id}";

    private static KeyValuePair<string, string>[] Fields(TaskResult r) =>
    [
        new(DataField, TaskJson.Serialize(r)),
        new(VersionField, r.Version.ToString(CultureInfo.InvariantCulture)),
    ];
}
