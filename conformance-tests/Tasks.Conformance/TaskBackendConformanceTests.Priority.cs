using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>With workers paused, a backlog of mixed priorities runs highest first, FIFO within a priority.</summary>
    [Fact]
    public async Task Backlog_runs_highest_priority_first_and_fifo_within_a_priority()
    {
        var host = Host("app");
        if (!Has(host, TaskBackendCapabilities.Priority))
        {
            var ex = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.With(priority: 10).EnqueueAsync(new RecordArgs("p")));
            Assert.Equal(TaskBackendCapabilities.Priority, ex.Missing);
            Assert.Contains(TaskBackendFixture.BackendAlias, ex.Message, StringComparison.Ordinal);
            return;
        }

        (string Label, int Priority)[] backlog = [("a", 0), ("b", 10), ("c", -5), ("d", 10), ("e", 100), ("f", 0), ("g", -100), ("h", 10), ("i", 0)];
        var ids = new List<string>();
        foreach (var (label, priority) in backlog)
        {
            var r = await host.Queue.With(priority: priority).EnqueueAsync(new RecordArgs(label));
            Assert.Equal(priority, r.Priority);
            ids.Add(r.Id);
        }

        await host.StartWorkerAsync(o => o.Concurrency = 1);
        foreach (var id in ids)
        {
            await FinishedAsync(host, id);
        }

        var order = string.Concat(Probe.Executions.Select(e => e.Label));
        Assert.Equal("ebdhaficg", order);
    }

    /// <summary>Priorities outside -100..100 are refused with a typed error naming the option.</summary>
    [Fact]
    public async Task Priority_out_of_range_is_refused()
    {
        var host = Host("app");
        var ex = Assert.Throws<InvalidTaskException>(() => host.Queue.With(priority: 101));
        Assert.Equal("Priority", ex.Option);
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = ConformanceTaskNames.Record, Queue = "default", Priority = -101, Arguments = "{\"label\":\"x\"}", EnqueuedAt = DateTimeOffset.UtcNow };
        var backendEx = await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.Backend.EnqueueAsync(envelope));
        Assert.Equal("Priority", backendEx.Option);
    }
}
