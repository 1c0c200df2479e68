using Tasks.Backends;

namespace Tasks.Conformance.Tests.Broken;

/// <summary>A result store with one deliberate defect.</summary>
internal sealed class BrokenResultStore(Defect defect) : ITaskResultStore
{
    private readonly InMemoryTaskResultStore _inner = new();

    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => _inner.CreateAsync(results, cancellationToken);

    public async Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        var found = await _inner.FindAsync(id, cancellationToken);
        return defect == Defect.LosesFinishedResults && found is { Status: TaskResultStatus.Succeeded } ? null : found;
    }

    public async Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        switch (defect)
        {
            case Defect.DropsFailedTasks when result.Status == TaskResultStatus.Failed:
                await _inner.DeleteAsync([result.Id], cancellationToken);
                return true;
            case Defect.RunsSomeTasksTwice:
                // No compare-and-set: a second delivery of the same task runs again. A no-op task finishes within
                // microseconds, so its copy could arrive after the first run finished and be skipped as done; holding the
                // final write back keeps the first run unfinished while the copy is taken, so the defect always shows.
                if (result.IsFinished)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
                }

                var current = await _inner.FindAsync(result.Id, cancellationToken);
                return current is not null && await _inner.TryUpdateAsync(result, current.Version, cancellationToken);
            default:
                return await _inner.TryUpdateAsync(result, expectedVersion, cancellationToken);
        }
    }

    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => _inner.DeleteAsync(ids, cancellationToken);
}
