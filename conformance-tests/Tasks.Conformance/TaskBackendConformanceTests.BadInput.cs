using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>Unserializable arguments fail at enqueue with a typed error and leave the queue empty.</summary>
    [Fact]
    public async Task Unserializable_arguments_fail_at_enqueue_and_enqueue_nothing()
    {
        var host = Host("app");
        var cyclic = new CyclicArgs { Name = "cycle" };
        cyclic.Next = cyclic;

        var ex = await Assert.ThrowsAsync<TaskSerializationException>(() => host.Queue.EnqueueAsync(cyclic));
        Assert.Contains(ConformanceTaskNames.Cyclic, ex.Message, StringComparison.Ordinal);

        await host.StartWorkerAsync();
        var marker = await host.Queue.EnqueueAsync(new RecordArgs("marker"));
        await FinishedAsync(host, marker.Id);
        await Task.Delay(300);
        Assert.DoesNotContain(Probe.Executions, e => e.TaskName == ConformanceTaskNames.Cyclic);
    }

    /// <summary>Enqueueing an unknown task name is refused; one that reaches a worker ends Failed and the next task runs.</summary>
    [Fact]
    public async Task Unknown_task_name_ends_failed_and_next_task_runs()
    {
        var host = Host("app");
        var refused = await Assert.ThrowsAsync<UnknownTaskException>(() => host.Queue.EnqueueAsync("conformance.no-such-task", new RecordArgs("x")));
        Assert.Equal("conformance.no-such-task", refused.TaskName);

        await host.StartWorkerAsync(o => o.Concurrency = 1);
        var stray = await host.Backend.EnqueueAsync(RawEnvelope("conformance.renamed-long-ago", "{\"label\":\"stray\"}"));
        var next = await host.Queue.EnqueueAsync(new RecordArgs("next"));

        if (Has(host, TaskBackendCapabilities.Results))
        {
            var failed = await FinishedAsync(host, stray.Id);
            Assert.Equal(TaskResultStatus.Failed, failed.Status);
            Assert.Equal(typeof(UnknownTaskException).FullName, Assert.Single(failed.Errors).ExceptionType);
            Assert.Contains("conformance.renamed-long-ago", failed.Errors[0].Message, StringComparison.Ordinal);
        }

        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, next.Id)).Status);
    }

    /// <summary>A payload the worker cannot read ends Failed with a clear error, never dropped; the next task runs.</summary>
    [Fact]
    public async Task Undeserializable_payload_ends_failed_and_next_task_runs()
    {
        var host = Host("app");
        await host.StartWorkerAsync(o => o.Concurrency = 1);

        var broken = await host.Backend.EnqueueAsync(RawEnvelope(ConformanceTaskNames.Echo, "{\"text\": \"unterminated"));
        var wrongShape = await host.Backend.EnqueueAsync(RawEnvelope(ConformanceTaskNames.Echo, "[1, 2, 3]"));
        var next = await host.Queue.EnqueueAsync(new RecordArgs("next"));

        foreach (var id in new[] { broken.Id, wrongShape.Id })
        {
            var failed = await FinishedAsync(host, id);
            Assert.Equal(TaskResultStatus.Failed, failed.Status);
            Assert.Equal(typeof(TaskPayloadException).FullName, Assert.Single(failed.Errors).ExceptionType);
            Assert.Contains(typeof(EchoPayload).FullName!, failed.Errors[0].Message, StringComparison.Ordinal);
            Assert.Empty(Probe.ExecutionsOf(id));
        }

        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, next.Id)).Status);
    }

    /// <summary>Backends re-validate envelopes handed to them directly.</summary>
    [Fact]
    public async Task Backend_refuses_invalid_envelopes()
    {
        var host = Host("app");
        var bad = RawEnvelope(ConformanceTaskNames.Record, "{\"label\":\"x\"}") with { Queue = "no spaces allowed" };
        var ex = await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.Backend.EnqueueAsync(bad));
        Assert.Equal("Queue", ex.Option);
        await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.Backend.EnqueueAsync(bad with { Queue = "default", MaxAttempts = 0 }));
    }

    /// <summary>An envelope built by hand, as another tool or an older version might have written it.</summary>
    protected static TaskEnvelope RawEnvelope(string taskName, string arguments) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = taskName,
        Queue = "default",
        Arguments = arguments,
        EnqueuedAt = DateTimeOffset.UtcNow,
    };
}
