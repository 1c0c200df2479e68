using System.Collections.Concurrent;

namespace Tasks.Backends;

/// <summary>Results in this process's memory; used by the built-in backends and by adapters' in-memory modes.</summary>
public sealed class InMemoryTaskResultStore : ITaskResultStore
{
    private readonly ConcurrentDictionary<string, TaskResult> _results = new(StringComparer.Ordinal);

    /// <summary>How many results are held.</summary>
    public int Count => _results.Count;

    /// <summary>A snapshot of every result held.</summary>
    public IReadOnlyCollection<TaskResult> Snapshot() => _results.Values.ToArray();

    /// <summary>Forgets every result.</summary>
    public void Clear() => _results.Clear();

    /// <inheritdoc />
    public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default)
    {
        foreach (var r in results)
        {
            if (!_results.TryAdd(r.Id, r))
            {
                throw new InvalidTaskException($"A task with id '{r.Id}' already exists; task ids are unique.", "Id");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_results.TryGetValue(id, out var r) ? r : null);

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
    {
        // ConcurrentDictionary's TryUpdate compares by value; our records compare by value too, so compare versions explicitly.
        while (_results.TryGetValue(result.Id, out var current))
        {
            if (current.Version != expectedVersion)
            {
                return Task.FromResult(false);
            }

            if (_results.TryUpdate(result.Id, result, current))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        foreach (var id in ids)
        {
            _results.TryRemove(id, out _);
        }

        return Task.CompletedTask;
    }
}
