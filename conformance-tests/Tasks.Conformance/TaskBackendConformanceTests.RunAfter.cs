using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>A deferred task does not run before its time and runs within the tolerance after it.</summary>
    [Fact]
    public async Task Deferred_task_does_not_run_before_its_time_and_runs_promptly_after()
    {
        var host = Host("app");
        if (!Has(host, TaskBackendCapabilities.Defer))
        {
            var ex = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.Delay(TimeSpan.FromSeconds(2)).EnqueueAsync(new RecordArgs("later")));
            Assert.Equal(TaskBackendCapabilities.Defer, ex.Missing);
            return;
        }

        await host.StartWorkerAsync();
        var runAfter = DateTimeOffset.UtcNow.AddSeconds(2);
        var enqueued = await host.Queue.With(runAfter: runAfter).EnqueueAsync(new RecordArgs("later"));
        var now = await host.Queue.EnqueueAsync(new RecordArgs("now"));
        Assert.Equal(runAfter.ToUniversalTime(), enqueued.RunAfter);

        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, now.Id)).Status);
        await Task.Delay(runAfter - DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(300) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
        Assert.Empty(Probe.ExecutionsOf(enqueued.Id));
        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(enqueued.Id)).Status);

        var result = await FinishedAsync(host, enqueued.Id);
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        var ran = Probe.ExecutionsOf(enqueued.Id).Single().At;
        Assert.True(ran >= runAfter.AddMilliseconds(-50), $"ran at {ran:O}, before its run-after {runAfter:O}");
        Assert.True(ran <= runAfter + Traits.RunAfterTolerance, $"ran at {ran:O}, more than {Traits.RunAfterTolerance} after {runAfter:O}");
    }

    /// <summary>A run-after that is not an absolute UTC instant is refused.</summary>
    [Fact]
    public async Task Ambiguous_run_after_is_refused()
    {
        var host = Host("app");
        var ex = Assert.Throws<InvalidTaskException>(() => host.Queue.RunAfter(DateTime.SpecifyKind(DateTime.Now.AddMinutes(1), DateTimeKind.Unspecified)));
        Assert.Equal("RunAfter", ex.Option);
        var envelope = new TaskEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            TaskName = ConformanceTaskNames.Record,
            Queue = "default",
            Arguments = "{\"label\":\"x\"}",
            RunAfter = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)),
            EnqueuedAt = DateTimeOffset.UtcNow,
        };
        await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.Backend.EnqueueAsync(envelope));
    }
}
