using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;
using Tasks.Execution;

namespace Tasks.Core.Tests;

/// <summary>
/// <see cref="TaskExecutor.ExecuteAsync(TaskEnvelope, TaskExecutionContext, TaskResult?, CancellationToken)"/>: a delivery
/// the adapter believes is the first skips the read of the result, and every wrong belief ends exactly as the plain
/// path would have ended.
/// </summary>
public sealed class TaskExecutorFirstDeliveryTests
{
    private static TestHost Host() => TestHost.Create(t =>
    {
        t.AddInMemoryBackend("mem");
        t.AddTask<Work, WorkHandler>("work", o => o.MaxAttempts = 3);
    });

    private static TaskEnvelope Envelope(string label) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = "work",
        Queue = "default",
        Arguments = $$"""{"label":"{{label}}"}""",
        EnqueuedAt = DateTimeOffset.UtcNow,
        MaxAttempts = 3,
    };

    private static async Task<(TaskExecutionOutcome Outcome, CountingStore Store)> RunAsync(TestHost host, TaskEnvelope envelope, TaskResult? asEnqueued)
    {
        var store = new CountingStore(host.Backend<InMemoryTaskBackend>("mem").Results);
        var executor = host.Services.GetRequiredService<TaskExecutor>();
        var outcome = await executor.ExecuteAsync(envelope, new TaskExecutionContext("mem", "w1", store), asEnqueued, CancellationToken.None);
        return (outcome, store);
    }

    [Fact]
    public async Task A_first_delivery_runs_without_reading_its_result()
    {
        await using var host = Host();
        var envelope = Envelope("first");
        var enqueued = await host.Backend<InMemoryTaskBackend>("mem").EnqueueAsync(envelope);

        var (outcome, store) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskExecutionDisposition.Completed, outcome.Disposition);
        Assert.Equal(0, store.Reads);
        Assert.Equal(2, store.Updates); // Running, then Succeeded
        var result = await host.Queue.GetResultAsync(enqueued.Id);
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(["w1"], result.WorkerIds);
        Assert.Equal(enqueued.EnqueuedAt, result.EnqueuedAt);
        Assert.Equal("first", Assert.Single(host.Probe.Calls).Label);
    }

    [Fact]
    public async Task A_cancelled_task_believed_first_is_skipped_and_never_runs()
    {
        await using var host = Host();
        var envelope = Envelope("cancelled");
        await host.Backend<InMemoryTaskBackend>("mem").EnqueueAsync(envelope);
        await host.Queue.CancelAsync(envelope.Id);

        var (outcome, _) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskExecutionDisposition.Skipped, outcome.Disposition);
        Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(envelope.Id)).Status);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task A_redelivery_after_a_lost_worker_believed_first_still_records_the_lost_attempt()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        var envelope = Envelope("lost");
        var stored = await backend.EnqueueAsync(envelope);
        Assert.True(await backend.Results.TryUpdateAsync(stored with { Status = TaskResultStatus.Running, Attempts = 1, WorkerIds = ["dead"], StartedAt = DateTimeOffset.UtcNow, Version = stored.Version + 1 }, stored.Version));

        var (outcome, _) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskExecutionDisposition.Completed, outcome.Disposition);
        var result = await host.Queue.GetResultAsync(envelope.Id);
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(["dead", "w1"], result.WorkerIds);
        Assert.Equal("Tasks.WorkerLost", Assert.Single(result.Errors).ExceptionType);
    }

    [Fact]
    public async Task A_retry_believed_first_keeps_its_attempt_count_and_errors()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        var envelope = Envelope("retried");
        var stored = await backend.EnqueueAsync(envelope);
        var error = new TaskError(1, "Boom", "attempt 1 failed", null, DateTimeOffset.UtcNow);
        Assert.True(await backend.Results.TryUpdateAsync(stored with { Attempts = 1, Errors = [error], WorkerIds = ["w0"], Version = stored.Version + 2 }, stored.Version));

        var (outcome, _) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskExecutionDisposition.Completed, outcome.Disposition);
        var result = await host.Queue.GetResultAsync(envelope.Id);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(["w0", "w1"], result.WorkerIds);
        Assert.Equal("Boom", Assert.Single(result.Errors).ExceptionType);
    }

    [Fact]
    public async Task A_finished_task_believed_first_is_skipped()
    {
        await using var host = Host();
        var envelope = Envelope("done");
        await host.Backend<InMemoryTaskBackend>("mem").EnqueueAsync(envelope);
        Assert.Equal(TaskExecutionDisposition.Completed, (await RunAsync(host, envelope, null)).Outcome.Disposition);

        var (outcome, _) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskExecutionDisposition.Skipped, outcome.Disposition);
        Assert.Single(host.Probe.Calls);
    }

    [Fact]
    public async Task A_task_with_no_stored_result_believed_first_is_recorded_and_runs()
    {
        await using var host = Host();
        var envelope = Envelope("orphan"); // never enqueued: the store holds nothing for it

        var (outcome, store) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskExecutionDisposition.Completed, outcome.Disposition);
        Assert.Equal(1, store.Creates);
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(envelope.Id)).Status);
    }

    [Fact]
    public async Task Unreadable_arguments_believed_first_fail_against_the_stored_result()
    {
        await using var host = Host();
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        var envelope = Envelope("x") with { Arguments = """{"label":42}""" };
        var stored = await backend.EnqueueAsync(envelope);

        // Someone else already recorded an attempt: the failure must keep it, not overwrite it with the guess.
        Assert.True(await backend.Results.TryUpdateAsync(stored with { Attempts = 1, WorkerIds = ["w0"], Version = stored.Version + 2 }, stored.Version));

        var (outcome, _) = await RunAsync(host, envelope, TaskResult.ForEnqueued(envelope, "mem"));

        Assert.Equal(TaskResultStatus.Failed, outcome.Result!.Status);
        var result = await host.Queue.GetResultAsync(envelope.Id);
        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(["w0"], result.WorkerIds);
        Assert.Equal(typeof(TaskPayloadException).FullName, Assert.Single(result.Errors).ExceptionType);
    }

    [Fact]
    public async Task A_belief_that_is_not_a_never_started_record_is_ignored()
    {
        await using var host = Host();
        var envelope = Envelope("ignored");
        var stored = await host.Backend<InMemoryTaskBackend>("mem").EnqueueAsync(envelope);

        var (outcome, store) = await RunAsync(host, envelope, stored with { Status = TaskResultStatus.Running, Attempts = 1 });

        Assert.Equal(TaskExecutionDisposition.Completed, outcome.Disposition);
        Assert.Equal(1, store.Reads);
        Assert.Equal(1, (await host.Queue.GetResultAsync(envelope.Id)).Attempts);
    }

    /// <summary>Counts the calls that reach the store.</summary>
    private sealed class CountingStore(ITaskResultStore inner) : ITaskResultStore
    {
        public int Reads { get; private set; }

        public int Updates { get; private set; }

        public int Creates { get; private set; }

        public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default)
        {
            Reads++;
            return inner.FindAsync(id, cancellationToken);
        }

        public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default)
        {
            Creates++;
            return inner.CreateAsync(results, cancellationToken);
        }

        public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
        {
            Updates++;
            return inner.TryUpdateAsync(result, expectedVersion, cancellationToken);
        }

        public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
    }
}
