using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>A Ready task that is cancelled never runs; a finished one cannot be cancelled.</summary>
    [Fact]
    public async Task Cancelled_ready_task_never_runs()
    {
        var host = Host("app");
        var victim = await host.Queue.EnqueueAsync(new RecordArgs("cancelled"));
        if (!Has(host, TaskBackendCapabilities.Cancel))
        {
            var ex = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.CancelAsync(victim.Id));
            Assert.Equal(TaskBackendCapabilities.Cancel, ex.Missing);
            return;
        }

        Assert.True(await host.Queue.CancelAsync(victim.Id));
        var cancelled = await host.Queue.GetResultAsync(victim.Id);
        Assert.Equal(TaskResultStatus.Cancelled, cancelled.Status);
        Assert.NotNull(cancelled.FinishedAt);

        if (Has(host, TaskBackendCapabilities.Defer))
        {
            var delayed = await host.Queue.Delay(TimeSpan.FromMilliseconds(300)).EnqueueAsync(new RecordArgs("cancelled-delayed"));
            Assert.True(await host.Queue.CancelAsync(delayed.Id));
            await host.StartWorkerAsync();
            await Task.Delay(800);
            Assert.Empty(Probe.ExecutionsOf(delayed.Id));
            Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(delayed.Id)).Status);
        }
        else
        {
            await host.StartWorkerAsync();
        }

        var after = await host.Queue.EnqueueAsync(new RecordArgs("after"));
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, after.Id)).Status);
        Assert.Empty(Probe.ExecutionsOf(victim.Id));
        Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(victim.Id)).Status);
        Assert.False(await host.Queue.CancelAsync(after.Id), "a finished task cannot be cancelled");
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(after.Id)).Status);
    }
}
