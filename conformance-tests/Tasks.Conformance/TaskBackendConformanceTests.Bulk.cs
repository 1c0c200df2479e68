using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>Bulk enqueue returns results in input order, keeps the priority, and runs FIFO.</summary>
    [Fact]
    public async Task Bulk_enqueue_keeps_order_and_priorities()
    {
        var host = Host("app");
        var labels = Enumerable.Range(0, 50).Select(i => $"bulk{i:D2}").ToArray();
        var queue = Has(host, TaskBackendCapabilities.Priority) ? host.Queue.With(priority: 50) : host.Queue;

        var results = await queue.EnqueueManyAsync(labels.Select(l => new RecordArgs(l)));

        Assert.Equal(labels.Length, results.Count);
        Assert.Equal(labels.Length, results.Select(r => r.Id).Distinct().Count());
        Assert.Equal(labels, results.Select(r => r.GetArguments<RecordArgs>().Label));
        Assert.All(results, r => Assert.Equal(TaskResultStatus.Ready, r.Status));
        if (Has(host, TaskBackendCapabilities.Priority))
        {
            Assert.All(results, r => Assert.Equal(50, r.Priority));
            var low = await host.Queue.With(priority: -50).EnqueueAsync(new RecordArgs("low"));
            await host.StartWorkerAsync(o => o.Concurrency = 1);
            await FinishedAsync(host, low.Id);
            Assert.Equal([.. labels, "low"], Probe.Executions.Select(e => e.Label));
        }
        else
        {
            await host.StartWorkerAsync(o => o.Concurrency = 1);
            foreach (var r in results)
            {
                await FinishedAsync(host, r.Id);
            }

            Assert.Equal(labels, Probe.Executions.Select(e => e.Label));
        }
    }

    /// <summary>A bulk enqueue with an invalid item reports it by index and enqueues nothing.</summary>
    [Fact]
    public async Task Bulk_enqueue_with_an_invalid_item_enqueues_nothing()
    {
        var host = Host("app");
        var cyclic = new CyclicArgs { Name = "bad" };
        cyclic.Next = cyclic;
        CyclicArgs[] items = [new() { Name = "ok0" }, cyclic, new() { Name = "ok2" }, cyclic];

        var ex = await Assert.ThrowsAsync<TaskBulkEnqueueException>(() => host.Queue.EnqueueManyAsync(items));

        Assert.Equal([1, 3], ex.Errors.Select(e => e.Key));
        Assert.All(ex.Errors, e => Assert.IsType<TaskSerializationException>(e.Value));
        await host.StartWorkerAsync();
        var marker = await host.Queue.EnqueueAsync(new RecordArgs("marker"));
        await FinishedAsync(host, marker.Id);
        await Task.Delay(300);
        Assert.DoesNotContain(Probe.Executions, e => e.TaskName == ConformanceTaskNames.Cyclic);
    }
}
