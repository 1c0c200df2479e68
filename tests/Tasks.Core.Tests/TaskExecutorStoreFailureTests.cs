using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;
using Tasks.Execution;

namespace Tasks.Core.Tests;

/// <summary>
/// A store that refuses the write of a task's success has not made the task fail: the error goes to the adapter (which
/// puts the delivery back), the result is not marked Failed, and the next delivery finishes the task.
/// </summary>
public sealed class TaskExecutorStoreFailureTests
{
    [Fact]
    public async Task A_success_the_store_refuses_to_record_is_not_recorded_as_a_failure()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddInMemoryBackend("mem");
            t.AddTask<Work, WorkHandler>("work", o => o.MaxAttempts = 1);
        });
        var backend = host.Backend<InMemoryTaskBackend>("mem");
        var envelope = new TaskEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            TaskName = "work",
            Queue = "default",
            Arguments = """{"label":"refused"}""",
            EnqueuedAt = DateTimeOffset.UtcNow,
            MaxAttempts = 1,
        };
        await backend.EnqueueAsync(envelope);
        var executor = host.Services.GetRequiredService<TaskExecutor>();

        // The store comes back as soon as the success was refused, so a Failed record written next would stick.
        var flaky = new RefusesOneSuccess(backend.Results);
        var error = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => executor.ExecuteAsync(envelope, new TaskExecutionContext("mem", "w1", flaky), CancellationToken.None));
        Assert.Equal("mem", error.Backend);
        Assert.True(flaky.Refused);
        var afterRefusal = await host.Queue.GetResultAsync(envelope.Id);
        Assert.Equal(TaskResultStatus.Running, afterRefusal.Status);
        Assert.Empty(afterRefusal.Errors);

        var outcome = await executor.ExecuteAsync(envelope, new TaskExecutionContext("mem", "w2", backend.Results), CancellationToken.None);

        Assert.Equal(TaskExecutionDisposition.Completed, outcome.Disposition);
        var result = await host.Queue.GetResultAsync(envelope.Id);
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(["w1", "w2"], result.WorkerIds);
        Assert.Equal("Tasks.WorkerLost", Assert.Single(result.Errors).ExceptionType);
    }

    private sealed class RefusesOneSuccess(ITaskResultStore inner) : ITaskResultStore
    {
        public bool Refused { get; private set; }

        public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => inner.CreateAsync(results, cancellationToken);

        public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (result.Status == TaskResultStatus.Succeeded && !Refused)
            {
                Refused = true;
                throw new TaskBackendUnavailableException("mem", "updating a result", new IOException("the store went away"));
            }

            return inner.TryUpdateAsync(result, expectedVersion, cancellationToken);
        }

        public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
    }
}
