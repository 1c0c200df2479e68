using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="InMemoryTaskBackend"/>: cancel, priority order, run-after, queues and results.</summary>
public sealed class InMemoryTaskBackendTests
{
    private static TestHost Host(Action<IServiceCollection>? services = null) => TestHost.Create(
        t =>
        {
            t.AddInMemoryBackend("mem");
            t.AddTask<Work, WorkHandler>("work");
        },
        services);

    [Fact]
    public async Task Has_the_documented_capabilities_and_serves_any_queue()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");

        Assert.Equal(
            TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results | TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background | TaskBackendCapabilities.ListPending,
            backend.Capabilities);
        Assert.Null(backend.Queues);
        Assert.Equal("mem", backend.Alias);
        Assert.Equal("InMemory", InMemoryTaskBackend.TypeName);
    }

    [Fact]
    public async Task Enqueued_tasks_are_Ready_and_pending_until_a_worker_takes_them()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");

        var results = await host.Queue.EnqueueManyAsync([new Work("a"), new Work("b"), new Work("c")]);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(TaskResultStatus.Ready, r.Status));
        Assert.Equal(["a", "b", "c"], results.Select(r => r.GetArguments<Work>().Label));
        Assert.Equal(3, results.Select(r => r.Id).Distinct().Count());
        Assert.Equal(3, backend.PendingCount);

        await host.StartWorkerAsync();
        foreach (var r in results)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await host.WaitAsync(r.Id)).Status);
        }

        Assert.Equal(0, backend.PendingCount);
    }

    [Fact]
    public async Task A_cancelled_Ready_task_never_runs()
    {
        await using var host = Host();
        var doomed = await host.Queue.EnqueueAsync(new Work("doomed"));

        Assert.True(await host.Queue.CancelAsync(doomed.Id));
        var cancelled = await host.Queue.GetResultAsync(doomed.Id);
        Assert.Equal(TaskResultStatus.Cancelled, cancelled.Status);
        Assert.NotNull(cancelled.FinishedAt);
        Assert.True(cancelled.IsFinished);
        Assert.Throws<TaskResultNotReadyException>(() => cancelled.GetReturnValue<object>());

        // A task enqueued after it runs, so the worker has been past the cancelled one.
        await host.StartWorkerAsync();
        var marker = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("marker"))).Id);
        Assert.Equal(TaskResultStatus.Succeeded, marker.Status);

        Assert.Equal(["marker"], host.Probe.Calls.Select(c => c.Label));
        var after = await host.Queue.GetResultAsync(doomed.Id);
        Assert.Equal(TaskResultStatus.Cancelled, after.Status);
        Assert.Equal(0, after.Attempts);
        Assert.False(await host.Queue.CancelAsync(doomed.Id)); // already cancelled
        Assert.Equal(TaskResultStatus.Cancelled, (await host.WaitAsync(doomed.Id)).Status);
    }

    [Fact]
    public async Task Running_and_finished_tasks_cannot_be_cancelled()
    {
        await using var host = Host();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = (w, _, _) => w.Label == "running" ? gate.Task : Task.CompletedTask;
        await host.StartWorkerAsync();

        var finished = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("finished"))).Id);
        var running = await host.Queue.EnqueueAsync(new Work("running"));
        await Eventually.TrueAsync(() => host.Probe.CallsOf(running.Id).Count == 1, "the task to start");

        Assert.False(await host.Queue.CancelAsync(finished.Id));
        Assert.False(await host.Queue.CancelAsync(running.Id));
        Assert.Equal(TaskResultStatus.Running, (await host.Queue.GetResultAsync(running.Id)).Status);

        gate.SetResult();
        Assert.Equal(TaskResultStatus.Succeeded, (await host.WaitAsync(running.Id)).Status);
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(finished.Id)).Status);
    }

    [Fact]
    public async Task A_backlog_runs_highest_priority_first_and_in_enqueue_order_within_a_priority()
    {
        await using var host = Host();
        var q = host.Queue;
        await q.With(priority: -5).EnqueueAsync(new Work("low"));
        await q.EnqueueAsync(new Work("normal-1"));
        await q.With(priority: 10).EnqueueAsync(new Work("high"));
        await q.EnqueueAsync(new Work("normal-2"));
        await q.With(priority: 100).EnqueueAsync(new Work("top"));
        var last = await q.With(priority: -100).EnqueueAsync(new Work("bottom"));

        await host.StartWorkerAsync(o => o.Concurrency = 1);
        await host.WaitAsync(last.Id);

        Assert.Equal(["top", "high", "normal-1", "normal-2", "low", "bottom"], host.Probe.Calls.Select(c => c.Label));
    }

    [Fact]
    public async Task Priority_is_compared_across_the_queues_a_worker_serves()
    {
        await using var host = Host();
        await host.Queue.With(queue: "a", priority: 1).EnqueueAsync(new Work("a1"));
        await host.Queue.With(queue: "b", priority: 50).EnqueueAsync(new Work("b50"));
        var last = await host.Queue.With(queue: "a", priority: -1).EnqueueAsync(new Work("a-1"));

        await host.StartWorkerAsync(o => o.Queues = ["a", "b"]);
        await host.WaitAsync(last.Id);

        Assert.Equal(["b50", "a1", "a-1"], host.Probe.Calls.Select(c => c.Label));
    }

    [Fact]
    public async Task A_worker_takes_only_from_its_queues()
    {
        await using var host = Host();
        await host.StartWorkerAsync(o => o.Queues = ["mine"]);

        var other = await host.Queue.With(queue: "theirs").EnqueueAsync(new Work("theirs"));
        var mine = await host.WaitAsync((await host.Queue.With(queue: "mine").EnqueueAsync(new Work("mine"))).Id);

        Assert.Equal(TaskResultStatus.Succeeded, mine.Status);
        Assert.Equal("mine", mine.Queue);
        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(other.Id)).Status);
        Assert.Equal(1, host.Backend<InMemoryTaskBackend>("mem").PendingCount);
    }

    [Fact]
    public async Task A_deferred_task_waits_for_its_run_after_instant()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var time = new ObservableFakeTime(start);
        await using var host = Host(s => s.AddSingleton<TimeProvider>(time));
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        await host.StartWorkerAsync();

        var deferred = await host.Queue.Delay(TimeSpan.FromMinutes(10)).EnqueueAsync(new Work("deferred"));
        var atInstant = await host.Queue.With(runAfter: start.AddMinutes(20)).EnqueueAsync(new Work("at-instant"));
        var now = await host.Queue.EnqueueAsync(new Work("now"));
        Assert.Equal(start.AddMinutes(10), deferred.RunAfter);

        // The clock is fake, so poll the results rather than WaitAsync (whose own pauses run on the same clock).
        async Task<TaskResultStatus> Status(string id) => (await host.Queue.GetResultAsync(id)).Status;
        await Eventually.TrueAsync(() => Status(now.Id).Result == TaskResultStatus.Succeeded, "the due task to run");
        await time.LiveTimerDueAt(start.AddMinutes(10));
        Assert.Equal(TaskResultStatus.Ready, await Status(deferred.Id));
        Assert.Equal(2, backend.PendingCount);

        time.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(50); // give a (wrongly) woken worker the chance to misbehave
        Assert.Equal(TaskResultStatus.Ready, await Status(deferred.Id));

        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => Status(deferred.Id).Result == TaskResultStatus.Succeeded, "the deferred task to run when due");
        await time.LiveTimerDueAt(start.AddMinutes(20));
        Assert.Equal(TaskResultStatus.Ready, await Status(atInstant.Id));

        time.Advance(TimeSpan.FromMinutes(10));
        await Eventually.TrueAsync(() => Status(atInstant.Id).Result == TaskResultStatus.Succeeded, "the task deferred to an instant to run");
        Assert.Equal(["now", "deferred", "at-instant"], host.Probe.Calls.Select(c => c.Label));
        Assert.Equal(start.AddMinutes(20), (await host.Queue.GetResultAsync(atInstant.Id)).FinishedAt);
    }

    [Fact]
    public async Task A_run_after_in_the_past_runs_at_once()
    {
        await using var host = Host();
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.With(runAfter: DateTimeOffset.UtcNow.AddDays(-1)).EnqueueAsync(new Work("late"))).Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task A_deferred_task_can_be_cancelled_before_it_is_due()
    {
        await using var host = Host();
        await host.StartWorkerAsync();
        var deferred = await host.Queue.Delay(TimeSpan.FromMinutes(1)).EnqueueAsync(new Work("deferred"));

        Assert.True(await host.Queue.CancelAsync(deferred.Id));

        Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(deferred.Id)).Status);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task WaitAsync_times_out_with_the_current_status_when_a_task_does_not_finish()
    {
        await using var host = Host();
        var ready = await host.Queue.EnqueueAsync(new Work("nobody-runs-me"));

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => host.Queue.WaitAsync(ready.Id, TimeSpan.FromMilliseconds(50)));

        Assert.Contains($"Task '{ready.Id}' did not finish within", ex.Message);
        Assert.Contains("its status is Ready", ex.Message);
    }

    [Fact]
    public async Task Results_carry_the_queue_serializer_so_values_can_be_read()
    {
        await using var host = Host();

        var result = await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Same(SystemTextJsonTaskSerializer.Default, result.Serializer);
        Assert.Same(SystemTextJsonTaskSerializer.Default, (await host.Queue.GetResultAsync(result.Id)).Serializer);
    }
}
