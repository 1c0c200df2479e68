using Microsoft.Extensions.Time.Testing;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>
/// <see cref="DeferredRunningWrite"/>: the Running record is written only after the delay, and the next write always
/// compare-and-sets against the version really stored, whatever happened to the Running write.
/// </summary>
public sealed class DeferredRunningWriteTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryTaskResultStore _store = new();

    [Fact]
    public async Task A_task_finished_within_the_delay_costs_one_write()
    {
        var (running, succeeded) = await ReadyAsync();
        var writes = 0;
        var deferred = Deferred(running, () => writes++);
        _time.Advance(TimeSpan.FromMilliseconds(999));

        Assert.True(await deferred.ThenAsync(1, (v, ct) => _store.TryUpdateAsync(succeeded, v, ct), default));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, writes);
        var stored = (await _store.FindAsync(running.Id))!;
        Assert.Equal((TaskResultStatus.Succeeded, 2L), (stored.Status, stored.Version));
    }

    [Fact]
    public async Task A_task_running_past_the_delay_reads_Running_and_the_next_write_replaces_it()
    {
        var (running, succeeded) = await ReadyAsync();
        var deferred = Deferred(running);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => _store.FindAsync(running.Id).Result!.Status == TaskResultStatus.Running, "Running was written");

        Assert.True(await deferred.ThenAsync(1, (v, ct) => _store.TryUpdateAsync(succeeded, v, ct), default));
        Assert.Equal(TaskResultStatus.Succeeded, (await _store.FindAsync(running.Id))!.Status);
    }

    [Fact]
    public async Task A_zero_delay_writes_Running_at_once()
    {
        var (running, succeeded) = await ReadyAsync();
        var deferred = Deferred(running, delay: TimeSpan.Zero);

        Assert.Equal(TaskResultStatus.Running, (await _store.FindAsync(running.Id))!.Status);
        Assert.True(await deferred.ThenAsync(1, (v, ct) => _store.TryUpdateAsync(succeeded, v, ct), default));
    }

    [Fact]
    public async Task A_record_changed_under_the_task_refuses_both_writes()
    {
        var (running, succeeded) = await ReadyAsync();
        var deferred = Deferred(running);
        Assert.True(await _store.TryUpdateAsync(running with { Status = TaskResultStatus.Cancelled, Attempts = 0 }, 0));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(50);

        Assert.False(await deferred.ThenAsync(1, (v, ct) => _store.TryUpdateAsync(succeeded, v, ct), default));
        Assert.Equal(TaskResultStatus.Cancelled, (await _store.FindAsync(running.Id))!.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_running_write_that_threw_is_replaced_whether_or_not_it_was_applied(bool appliedBeforeThrowing)
    {
        var (running, succeeded) = await ReadyAsync();
        Exception? heard = null;
        var deferred = new DeferredRunningWrite(
            0,
            async (v, ct) =>
            {
                if (appliedBeforeThrowing)
                {
                    await _store.TryUpdateAsync(running, v, ct);
                }

                throw new TimeoutException("reply lost");
            },
            TimeSpan.FromSeconds(1),
            _time,
            ex => heard = ex);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => heard is not null, "the failure was reported");

        Assert.True(await deferred.ThenAsync(1, (v, ct) => _store.TryUpdateAsync(succeeded, v, ct), default));
        Assert.Equal(TaskResultStatus.Succeeded, (await _store.FindAsync(running.Id))!.Status);
        Assert.IsType<TimeoutException>(heard);
    }

    private DeferredRunningWrite Deferred(TaskResult running, Action? onWrite = null, TimeSpan? delay = null) =>
        new(
            0,
            (v, ct) =>
            {
                onWrite?.Invoke();
                return _store.TryUpdateAsync(running, v, ct);
            },
            delay ?? TimeSpan.FromSeconds(1),
            _time,
            ex => Assert.Fail(ex.Message));

    private async Task<(TaskResult Running, TaskResult Succeeded)> ReadyAsync()
    {
        var ready = await StoredResults.ReadyAsync(_store, _time);
        var running = ready with { Status = TaskResultStatus.Running, Attempts = 1, Version = 1 };
        return (running, running with { Status = TaskResultStatus.Succeeded, FinishedAt = _time.GetUtcNow(), Version = 2 });
    }
}
