using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="ImmediateTaskBackend"/>: runs each task inline inside EnqueueAsync and returns its finished result.</summary>
public sealed class ImmediateTaskBackendTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    private static TestHost Host(Action<TaskOptions>? work = null) => TestHost.Create(t =>
    {
        t.AddImmediateBackend("inline");
        t.AddTask<Work, WorkHandler>("work", work);
        t.AddTask<Add, int, AddHandler>("add");
    });

    [Fact]
    public async Task Runs_the_task_inline_and_returns_the_finished_result()
    {
        await using var host = Host();
        string? seenAmbient = null;
        host.Probe.Behaviour = (_, _, _) =>
        {
            seenAmbient = Ambient.Value; // flows only when the handler runs inside the caller's enqueue
            return Task.CompletedTask;
        };
        Ambient.Value = "caller";

        var result = await host.Queue.EnqueueAsync(new Work("inline"));

        Assert.Equal("caller", seenAmbient);
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Equal("inline", result.Backend);
        Assert.Single(host.Probe.Calls);
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(result.Id)).Status);
    }

    [Fact]
    public async Task Returns_the_typed_value_at_once()
    {
        await using var host = Host();

        var result = await host.Queue.EnqueueAsync(new Add(20, 22));

        Assert.Equal(42, result.GetReturnValue<int>());
    }

    [Fact]
    public async Task A_failing_handler_returns_a_Failed_result_instead_of_throwing()
    {
        await using var host = Host();
        host.Probe.Behaviour = (_, _, _) => throw new BoomException("broken");

        var result = await host.Queue.EnqueueAsync(new Work("fails"));

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        var error = Assert.Single(result.Errors);
        Assert.Equal(typeof(BoomException).FullName, error.ExceptionType);
        Assert.Equal("broken", error.Message);
    }

    [Fact]
    public async Task Retries_inline_waiting_each_backoff()
    {
        await using var host = Host(o =>
        {
            o.MaxAttempts = 3;
            o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMilliseconds(30));
        });
        host.Probe.Behaviour = (_, ctx, _) => ctx.Attempt < 3 ? throw new BoomException($"boom {ctx.Attempt}") : Task.CompletedTask;

        var result = await host.Queue.EnqueueAsync(new Work("flaky"));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(["boom 1", "boom 2"], result.Errors.Select(e => e.Message));
        var calls = host.Probe.Calls;
        Assert.True(calls[2].At - calls[0].At >= TimeSpan.FromMilliseconds(45), "two backoffs of 30 ms were waited");
    }

    [Fact]
    public async Task Exhausted_retries_return_a_Failed_result()
    {
        await using var host = Host(o =>
        {
            o.MaxAttempts = 2;
            o.Backoff = RetryBackoff.None;
        });
        host.Probe.Behaviour = (_, ctx, _) => throw new BoomException($"boom {ctx.Attempt}");

        var result = await host.Queue.EnqueueAsync(new Work("fails"));

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(["boom 1", "boom 2"], result.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Bulk_enqueue_runs_every_task_in_order_and_returns_the_finished_results()
    {
        await using var host = Host();
        host.Probe.Behaviour = (w, _, _) => w.Label == "b" ? throw new BoomException("b fails") : Task.CompletedTask;

        var results = await host.Queue.EnqueueManyAsync([new Work("a"), new Work("b"), new Work("c")]);

        Assert.Equal([TaskResultStatus.Succeeded, TaskResultStatus.Failed, TaskResultStatus.Succeeded], results.Select(r => r.Status));
        Assert.Equal(["a", "b", "c"], host.Probe.Calls.Select(c => c.Label));
    }

    [Fact]
    public async Task Supports_priority_and_results_but_not_defer_or_cancel()
    {
        await using var host = Host();
        var backend = host.Backend<ImmediateTaskBackend>("inline");

        Assert.Equal(TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results, backend.Capabilities);
        Assert.Equal("Immediate", ImmediateTaskBackend.TypeName);

        var prioritised = await host.Queue.With(priority: 50).EnqueueAsync(new Work("p"));
        Assert.Equal(TaskResultStatus.Succeeded, prioritised.Status);

        var defer = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.Delay(TimeSpan.FromSeconds(1)).EnqueueAsync(new Work("later")));
        Assert.Equal(TaskBackendCapabilities.Defer, defer.Missing);
        await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.CancelAsync(prioritised.Id));
        Assert.Single(host.Probe.Calls);
    }

    [Fact]
    public async Task Cancelling_the_enqueue_mid_run_throws_and_leaves_no_task_that_would_never_run()
    {
        await using var host = Host();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = (_, _, ct) =>
        {
            started.TrySetResult();
            return Task.Delay(Timeout.Infinite, ct);
        };
        using var cts = new CancellationTokenSource();

        var enqueue = host.Queue.EnqueueAsync(new Work("interrupted"), cts.Token);
        await Eventually.Within(started.Task, "the handler to start");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enqueue);
        var id = Assert.Single(host.Probe.Calls).TaskId;
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(id));
    }

    [Fact]
    public async Task Timeouts_apply_inline_too()
    {
        await using var host = Host(o => o.Timeout = TimeSpan.FromMilliseconds(50));
        host.Probe.Behaviour = (_, _, ct) => Task.Delay(Timeout.Infinite, ct);

        var result = await host.Queue.EnqueueAsync(new Work("slow"));

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(typeof(TaskTimeoutException).FullName, Assert.Single(result.Errors).ExceptionType);
    }
}
