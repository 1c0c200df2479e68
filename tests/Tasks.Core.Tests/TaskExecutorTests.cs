using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>The execution pipeline (<see cref="Execution.TaskExecutor"/>) driven by a worker of the InMemory backend.</summary>
public sealed class TaskExecutorTests
{
    private static TestHost Host(Action<TaskOptions>? work = null) => TestHost.Create(t =>
    {
        t.AddInMemoryBackend("mem");
        t.AddTask<Work, WorkHandler>("work", work);
        t.AddTask<Add, int, AddHandler>("add");
    });

    private static TaskEnvelope Envelope(string taskName, string arguments) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = taskName,
        Queue = "default",
        Arguments = arguments,
        EnqueuedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_task_succeeds_with_its_typed_return_value()
    {
        await using var host = Host();
        var worker = await host.StartWorkerAsync(o => o.WorkerId = "worker-1");

        var enqueued = await host.Queue.EnqueueAsync(new Add(2, 40));
        var result = await host.WaitAsync(enqueued.Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(42, result.GetReturnValue<int>());
        Assert.Equal("42", result.ReturnValue);
        Assert.Equal(new Add(2, 40), result.GetArguments<Add>());
        Assert.Equal(1, result.Attempts);
        Assert.Empty(result.Errors);
        Assert.Equal(["worker-1"], result.WorkerIds);
        Assert.Equal("worker-1", worker.Id);
        Assert.NotNull(result.StartedAt);
        Assert.NotNull(result.FinishedAt);
        Assert.True(result.FinishedAt >= result.StartedAt);
        Assert.True(result.StartedAt >= result.EnqueuedAt);
        Assert.Equal(result.StartedAt, result.LastAttemptedAt);
        Assert.True(result.Version > enqueued.Version);
        Assert.True(result.IsFinished);
    }

    [Fact]
    public async Task A_task_without_a_return_value_succeeds_with_a_null_value_and_sees_its_context()
    {
        await using var host = Host(o => o.MaxAttempts = 2);
        TaskContext? seen = null;
        host.Probe.Behaviour = (_, ctx, _) =>
        {
            seen = ctx;
            return Task.CompletedTask;
        };
        await host.StartWorkerAsync(o => o.WorkerId = "w");

        var enqueued = await host.Queue.With(queue: "default").EnqueueAsync(new Work("ctx"));
        var result = await host.WaitAsync(enqueued.Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Null(result.ReturnValue);
        Assert.Null(result.GetReturnValue<object>());
        Assert.NotNull(seen);
        Assert.Equal((enqueued.Id, "work", 1, 2, "mem", "default", "w"), (seen.TaskId, seen.TaskName, seen.Attempt, seen.MaxAttempts, seen.Backend, seen.Queue, seen.WorkerId));
        Assert.Equal("ctx", Assert.Single(host.Probe.Calls).Label);
    }

    [Fact]
    public async Task The_handler_is_resolved_from_a_new_DI_scope_for_every_attempt()
    {
        await using var host = Host(o =>
        {
            o.MaxAttempts = 3;
            o.Backoff = RetryBackoff.None;
        });
        var scopesSeenByContext = new List<ScopedDependency>();
        host.Probe.Behaviour = (_, ctx, _) =>
        {
            lock (scopesSeenByContext)
            {
                scopesSeenByContext.Add((ScopedDependency)ctx.Services.GetService(typeof(ScopedDependency))!);
            }

            return ctx.Attempt < 3 ? throw new BoomException($"attempt {ctx.Attempt}") : Task.CompletedTask;
        };
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("scoped"))).Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        var calls = host.Probe.CallsOf(result.Id);
        Assert.Equal([1, 2, 3], calls.Select(c => c.Attempt));
        Assert.Equal(3, calls.Select(c => c.ScopedId).Distinct().Count());

        // The handler's scoped dependency is the one of the context's scope.
        Assert.Equal(calls.Select(c => c.ScopedId), scopesSeenByContext.Select(s => s.Id));
    }

    [Fact]
    public async Task A_failing_task_is_retried_with_backoff_then_fails_with_every_error_recorded()
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        await using var host = Host(o =>
        {
            o.MaxAttempts = 3;
            o.Backoff = RetryBackoff.Fixed(backoff);
        });
        host.Probe.Behaviour = (_, ctx, _) => throw new BoomException($"boom {ctx.Attempt}");
        await host.StartWorkerAsync(o => o.WorkerId = "w");

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("fails"))).Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, result.MaxAttempts);
        Assert.Equal(["w", "w", "w"], result.WorkerIds);
        Assert.Equal([1, 2, 3], result.Errors.Select(e => e.Attempt));
        Assert.Equal(["boom 1", "boom 2", "boom 3"], result.Errors.Select(e => e.Message));
        Assert.All(result.Errors, e => Assert.Equal(typeof(BoomException).FullName, e.ExceptionType));
        Assert.All(result.Errors, e => Assert.Contains(nameof(WorkHandler), e.StackTrace));
        Assert.NotNull(result.FinishedAt);
        Assert.Throws<TaskResultNotReadyException>(() => result.GetReturnValue<object>());

        // Each retry waited its backoff (a little slack for timer resolution).
        var calls = host.Probe.CallsOf(result.Id);
        Assert.Equal([1, 2, 3], calls.Select(c => c.Attempt));
        for (var i = 1; i < calls.Count; i++)
        {
            Assert.True(calls[i].At - calls[i - 1].At >= backoff - TimeSpan.FromMilliseconds(15), $"attempt {i + 1} started {(calls[i].At - calls[i - 1].At).TotalMilliseconds} ms after attempt {i}");
        }
    }

    [Fact]
    public async Task A_retried_task_that_then_succeeds_keeps_the_errors_of_its_failed_attempts()
    {
        await using var host = Host(o =>
        {
            o.MaxAttempts = 5;
            o.Backoff = RetryBackoff.Exponential(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(40));
        });
        host.Probe.Behaviour = (_, ctx, _) => ctx.Attempt <= 2 ? throw new BoomException($"boom {ctx.Attempt}") : Task.CompletedTask;
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("flaky"))).Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(["boom 1", "boom 2"], result.Errors.Select(e => e.Message));
        Assert.NotNull(result.RunAfter); // the retry's backoff instant
    }

    [Fact]
    public async Task A_retry_waits_in_the_Ready_state_with_its_run_after_set()
    {
        await using var host = Host(o =>
        {
            o.MaxAttempts = 2;
            o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMinutes(10));
        });
        host.Probe.Behaviour = (_, _, _) => throw new BoomException("first");
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("waits"));
        TaskResult current = enqueued;
        await Eventually.TrueAsync(() => (current = host.Queue.GetResultAsync(enqueued.Id).Result).Errors.Count == 1, "the first attempt to fail");

        Assert.Equal(TaskResultStatus.Ready, current.Status);
        Assert.Equal(1, current.Attempts);
        Assert.True(current.RunAfter > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.Equal(1, host.Backend<InMemoryTaskBackend>("mem").PendingCount);
        Assert.Single(host.Probe.Calls);
    }

    [Fact]
    public async Task An_attempt_past_its_timeout_fails_with_TaskTimeoutException()
    {
        await using var host = Host(o => o.Timeout = TimeSpan.FromMilliseconds(100));
        var tokenCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = async (_, _, ct) =>
        {
            await using var _ = ct.Register(() => tokenCancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
        };
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("slow"))).Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        var error = Assert.Single(result.Errors);
        Assert.Equal(typeof(TaskTimeoutException).FullName, error.ExceptionType);
        Assert.Equal("Task 'work' ran longer than its timeout of 00:00:00.1000000 and was abandoned.", error.Message);
        await Eventually.Within(tokenCancelled.Task, "the handler's token to be cancelled");
    }

    [Fact]
    public async Task The_timeout_holds_for_a_handler_that_ignores_its_token()
    {
        await using var host = Host(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(100);
            o.MaxAttempts = 2;
            o.Backoff = RetryBackoff.None;
        });
        var never = new TaskCompletionSource();
        host.Probe.Behaviour = (_, _, _) => never.Task; // ignores the token entirely
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("stuck"))).Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.All(result.Errors, e => Assert.Equal(typeof(TaskTimeoutException).FullName, e.ExceptionType));
        never.SetResult(); // let the abandoned handlers end
    }

    [Fact]
    public async Task An_envelope_of_an_unknown_task_ends_Failed_with_UnknownTaskException()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        await host.StartWorkerAsync();

        var enqueued = await backend.EnqueueAsync(Envelope("ghost", "{}"));
        var result = await host.WaitAsync(enqueued.Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        var error = Assert.Single(result.Errors);
        Assert.Equal(typeof(UnknownTaskException).FullName, error.ExceptionType);
        Assert.Contains("No task named 'ghost' is registered: this worker does not know it", error.Message);
        Assert.Equal(1, error.Attempt);
        Assert.Empty(host.Probe.Calls);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    public async Task An_envelope_whose_arguments_cannot_be_read_ends_Failed_with_TaskPayloadException(string arguments)
    {
        await using var host = Host(o => o.MaxAttempts = 3);
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        await host.StartWorkerAsync();

        var enqueued = await backend.EnqueueAsync(Envelope("work", arguments) with { MaxAttempts = 3 });
        var result = await host.WaitAsync(enqueued.Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        var error = Assert.Single(result.Errors); // not retried: the payload will never read
        Assert.Equal(typeof(TaskPayloadException).FullName, error.ExceptionType);
        Assert.Contains($"The arguments of task 'work' cannot be read as {typeof(Work).FullName}", error.Message);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task Arguments_that_were_enqueued_without_the_round_trip_check_fail_on_the_worker()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddInMemoryBackend("mem");
            t.AddTask<HasInterface, HasInterfaceHandler>("shape");
            t.VerifyArgumentsRoundTrip(false);
        });
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new HasInterface { Shape = new Square { Side = 1 } })).Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(typeof(TaskPayloadException).FullName, Assert.Single(result.Errors).ExceptionType);
    }

    [Fact]
    public async Task A_delivery_whose_result_is_still_Running_records_a_lost_attempt_and_runs_again()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        var enqueued = await host.Queue.EnqueueAsync(new Work("lost"));

        // A worker started attempt 1 and died without recording anything.
        var stored = (await backend.Results.FindAsync(enqueued.Id))!;
        var running = stored with { Status = TaskResultStatus.Running, Attempts = 1, WorkerIds = ["dead-worker"], StartedAt = DateTimeOffset.UtcNow, Version = stored.Version + 1 };
        Assert.True(await backend.Results.TryUpdateAsync(running, stored.Version));

        await host.StartWorkerAsync(o => o.WorkerId = "live-worker");
        var result = await host.WaitAsync(enqueued.Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(["dead-worker", "live-worker"], result.WorkerIds);
        var lost = Assert.Single(result.Errors);
        Assert.Equal("Tasks.WorkerLost", lost.ExceptionType);
        Assert.Equal(1, lost.Attempt);
        Assert.Contains("stopped without finishing it", lost.Message);
        Assert.Equal(2, Assert.Single(host.Probe.Calls).Attempt);
    }

    [Fact]
    public async Task A_task_that_keeps_losing_its_worker_gives_up()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        var enqueued = await host.Queue.EnqueueAsync(new Work("cursed"));
        var stored = (await backend.Results.FindAsync(enqueued.Id))!;
        var attempts = stored.MaxAttempts + Execution.TaskExecutor.MaxLostAttempts;
        Assert.True(await backend.Results.TryUpdateAsync(stored with { Status = TaskResultStatus.Running, Attempts = attempts, Version = stored.Version + 1 }, stored.Version));

        await host.StartWorkerAsync();
        var result = await host.WaitAsync(enqueued.Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(["Tasks.WorkerLost", typeof(TaskException).FullName], result.Errors.Select(e => e.ExceptionType));
        Assert.Contains($"lost its worker {attempts} times; giving up", result.Errors[1].Message);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task A_delivery_of_a_finished_task_is_skipped()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        await host.StartWorkerAsync();
        var enqueued = await host.Queue.EnqueueAsync(new Work("once"));
        var done = await host.WaitAsync(enqueued.Id);

        // The engine delivers the same envelope again (at-least-once delivery).
        await backend.DispatchAsync([Envelope("work", """{"label":"again"}""") with { Id = enqueued.Id }]);
        var marker = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("marker"))).Id);

        Assert.Equal(TaskResultStatus.Succeeded, marker.Status);
        Assert.Equal(done.Version, (await host.Queue.GetResultAsync(enqueued.Id)).Version);
        Assert.Equal(["once", "marker"], host.Probe.Calls.Select(c => c.Label));
    }

    [Fact]
    public async Task An_envelope_with_no_stored_result_is_recorded_and_run()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        await host.StartWorkerAsync();
        var envelope = Envelope("work", """{"label":"orphan"}""");

        await backend.DispatchAsync([envelope]); // straight to the engine, bypassing the result store
        await Eventually.TrueAsync(() => backend.Results.FindAsync(envelope.Id).Result is not null, "the worker to record the delivered task");
        var result = await host.WaitAsync(envelope.Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("orphan", Assert.Single(host.Probe.Calls).Label);
    }

    [Fact]
    public async Task A_return_value_that_cannot_be_serialized_fails_the_attempt()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddInMemoryBackend("mem");
            t.AddTask<Work, Node, CyclicResultHandler>("cyclic");
        });
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("x"))).Id);

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Contains("cycle", Assert.Single(result.Errors).Message, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class CyclicResultHandler : ITaskHandler<Work, Node>
    {
        public Task<Node> HandleAsync(Work args, TaskContext context, CancellationToken cancellationToken)
        {
            var node = new Node { Name = "loop" };
            node.Next = node;
            return Task.FromResult(node);
        }
    }
}
