using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>A client that did not enqueue the task reads its result by id.</summary>
    [Fact]
    public async Task Result_is_readable_from_another_client()
    {
        var producer = Host("producer");
        var enqueued = await producer.Queue.EnqueueAsync(new RecordArgs("shared"));
        var reader = Host("reader");
        if (!Has(reader, TaskBackendCapabilities.Results))
        {
            await Assert.ThrowsAsync<TaskNotSupportedException>(() => reader.Queue.GetResultAsync(enqueued.Id));
            return;
        }

        var worker = Host("worker");
        await worker.StartWorkerAsync();
        var result = await FinishedAsync(reader, enqueued.Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("shared", result.GetReturnValue<string>());
        Assert.StartsWith("worker", Assert.Single(result.WorkerIds), StringComparison.Ordinal);
    }

    /// <summary>Unknown and malformed ids give the typed "does not exist" error.</summary>
    [Fact]
    public async Task Unknown_or_malformed_id_gives_not_found()
    {
        var host = Host("app");
        if (!Has(host, TaskBackendCapabilities.Results))
        {
            await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.GetResultAsync(Guid.NewGuid().ToString()));
            return;
        }

        var unknown = Guid.NewGuid().ToString();
        var ex = await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(unknown));
        Assert.Equal(unknown, ex.TaskId);
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync("not-a-task-id"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync("' OR 1=1 --"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Backend.GetResultAsync(unknown));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Backend.GetResultAsync("not-a-task-id"));
        if (Has(host, TaskBackendCapabilities.Cancel))
        {
            await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.CancelAsync(unknown));
        }
    }
}
