using Microsoft.Extensions.Time.Testing;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>
/// <see cref="DeferredRunningResultStore"/>: only the delivery's first update, when it is the Running record of its task,
/// is held back; the next update of that task goes through it; everything else passes straight to the store.
/// </summary>
public sealed class DeferredRunningResultStoreTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryTaskResultStore _store = new();

    [Fact]
    public async Task The_first_Running_update_waits_for_the_delay_and_the_next_update_replaces_the_record_really_stored()
    {
        var ready = await ReadyAsync();
        var other = await ReadyAsync();
        var delivery = new DeferredRunningResultStore(_store, ready.Id, TimeSpan.FromSeconds(1), _time, ex => Assert.Fail(ex.Message));
        var running = ready with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 };

        Assert.True(await delivery.TryUpdateAsync(running, 0));
        Assert.Equal(TaskResultStatus.Ready, (await delivery.FindAsync(ready.Id))!.Status);

        // Another task's update is not held back.
        Assert.True(await delivery.TryUpdateAsync(other with { Status = TaskResultStatus.Cancelled, Version = 1 }, 0));
        Assert.Equal(TaskResultStatus.Cancelled, (await _store.FindAsync(other.Id))!.Status);

        Assert.True(await delivery.TryUpdateAsync(running with { Status = TaskResultStatus.Succeeded, Version = 2 }, 1));
        Assert.Equal((TaskResultStatus.Succeeded, 2L), ((await _store.FindAsync(ready.Id))!.Status, (await _store.FindAsync(ready.Id))!.Version));

        // Later updates go straight to the store.
        Assert.False(await delivery.TryUpdateAsync(running with { Version = 3 }, 1));
    }

    [Fact]
    public async Task A_first_update_that_is_not_Running_is_written_at_once_and_nothing_is_held_back_after_it()
    {
        var ready = await ReadyAsync();
        var delivery = new DeferredRunningResultStore(_store, ready.Id, TimeSpan.FromSeconds(1), _time, ex => Assert.Fail(ex.Message));

        Assert.True(await delivery.TryUpdateAsync(ready with { Status = TaskResultStatus.Failed, Version = 1 }, 0));
        Assert.Equal(TaskResultStatus.Failed, (await _store.FindAsync(ready.Id))!.Status);
        Assert.False(await delivery.TryUpdateAsync(ready with { Status = TaskResultStatus.Running, Version = 2 }, 0));
    }

    [Fact]
    public async Task After_a_next_update_that_threw_the_following_one_still_replaces_the_record_really_stored()
    {
        var ready = await ReadyAsync();
        var flaky = new FailingOnceStore(_store);
        var delivery = new DeferredRunningResultStore(flaky, ready.Id, TimeSpan.FromSeconds(1), _time, ex => Assert.Fail(ex.Message));
        var running = ready with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 };
        Assert.True(await delivery.TryUpdateAsync(running, 0));

        // The store is away for the Succeeded write; the pipeline then records the attempt as failed, against the
        // Running record's version. Running was never stored, so that write must replace version 0, not expect 1.
        flaky.FailNext = true;
        await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => delivery.TryUpdateAsync(running with { Status = TaskResultStatus.Succeeded, Version = 2 }, 1));
        Assert.True(await delivery.TryUpdateAsync(running with { Status = TaskResultStatus.Ready, Version = 2 }, 1));
        Assert.Equal((TaskResultStatus.Ready, 2L), ((await _store.FindAsync(ready.Id))!.Status, (await _store.FindAsync(ready.Id))!.Version));

        // After a write that did not throw, later updates go straight to the store.
        Assert.False(await delivery.TryUpdateAsync(running with { Version = 3 }, 1));
    }

    private Task<TaskResult> ReadyAsync() => StoredResults.ReadyAsync(_store, _time);

    /// <summary>The store, except that its next update throws when asked to (a store that went away for one call).</summary>
    private sealed class FailingOnceStore(ITaskResultStore inner) : ITaskResultStore
    {
        public bool FailNext { get; set; }

        public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => inner.CreateAsync(results, cancellationToken);

        public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new TaskBackendUnavailableException("test", "writing a result", new IOException("the store went away"));
            }

            return inner.TryUpdateAsync(result, expectedVersion, cancellationToken);
        }

        public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
    }
}
