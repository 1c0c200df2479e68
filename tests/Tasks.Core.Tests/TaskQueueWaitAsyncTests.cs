using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="ITaskQueue.WaitAsync"/>: waiting for a task to finish, with a timeout or without one.</summary>
public sealed class TaskQueueWaitAsyncTests
{
    private static TestHost Host() => TestHost.Create(t =>
    {
        t.AddInMemoryBackend("mem");
        t.AddTask<Work, WorkHandler>("work");
    });

    [Fact]
    public async Task Returns_the_finished_result_once_the_task_finishes()
    {
        await using var host = Host();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = (_, _, _) => gate.Task;
        await host.StartWorkerAsync();
        var enqueued = await host.Queue.EnqueueAsync(new Work("x"));

        var waiting = host.Queue.WaitAsync(enqueued.Id, TestHost.WaitTimeout);
        await Eventually.TrueAsync(() => host.Probe.Calls.Count == 1, "the task to start");
        Assert.False(waiting.IsCompleted);
        gate.SetResult();

        Assert.Equal(TaskResultStatus.Succeeded, (await Eventually.Within(waiting, "the wait to end")).Status);
    }

    [Fact]
    public async Task Infinite_timeout_waits_without_limit()
    {
        await using var host = Host();
        host.Probe.Behaviour = (_, _, _) => Task.Delay(100);
        await host.StartWorkerAsync();
        var enqueued = await host.Queue.EnqueueAsync(new Work("x"));

        var result = await Eventually.Within(host.Queue.WaitAsync(enqueued.Id, Timeout.InfiniteTimeSpan), "the wait to end");

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task The_largest_timeout_does_not_overflow()
    {
        await using var host = Host();
        host.Probe.Behaviour = (_, _, _) => Task.Delay(50);
        await host.StartWorkerAsync();
        var enqueued = await host.Queue.EnqueueAsync(new Work("x"));

        var result = await Eventually.Within(host.Queue.WaitAsync(enqueued.Id, TimeSpan.MaxValue), "the wait to end");

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task A_zero_timeout_returns_a_finished_task_and_times_out_on_an_unfinished_one()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddImmediateBackend("inline");
            t.AddRecordingBackend("rec");
            t.UseDefaultBackend("inline");
            t.AddTask<Work, WorkHandler>("work");
        });

        var finished = await host.Queue.EnqueueAsync(new Work("done"));
        var ready = await host.Queue.With(backend: "rec").EnqueueAsync(new Work("never"));

        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(finished.Id, TimeSpan.Zero)).Status);
        await Assert.ThrowsAsync<TimeoutException>(() => host.Queue.WaitAsync(ready.Id, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_negative_timeout_is_refused()
    {
        await using var host = Host();
        var enqueued = await host.Queue.EnqueueAsync(new Work("x"));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.Queue.WaitAsync(enqueued.Id, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Cancellation_stops_the_wait()
    {
        await using var host = Host();
        var enqueued = await host.Queue.EnqueueAsync(new Work("nobody-runs-me"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Queue.WaitAsync(enqueued.Id, Timeout.InfiniteTimeSpan, cts.Token));
    }

    [Fact]
    public async Task Waiting_for_an_unknown_or_malformed_id_throws_TaskNotFoundException()
    {
        await using var host = Host();

        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.WaitAsync(Guid.NewGuid().ToString(), TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.WaitAsync("nope", TimeSpan.FromSeconds(1)));
    }
}
