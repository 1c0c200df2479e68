using System.Collections.Concurrent;
using System.Diagnostics;
using Tasks.Conformance.ConformanceTasks;
using Tasks.Diagnostics;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>Enqueued, started and finished fire once each with the task id; the execution span is a child of the enqueue span.</summary>
    [Fact]
    public async Task Events_fire_once_each_and_execution_span_is_child_of_enqueue_span()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == TasksInstrumentation.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var client = Host("client");
        var worker = Host("worker");

        // The worker starts once the enqueue has returned: the two hosts stand for two processes, and with a worker
        // already waiting, a fast backend can start the task before the enqueuing host's own continuation has run its
        // observers. Started this way, the order asserted below is the causal one, whatever the thread scheduling.
        var enqueued = await client.Queue.EnqueueAsync(new RecordArgs("traced"));
        await worker.StartWorkerAsync();
        await FinishedAsync(client, enqueued.Id);

        await WaitUntilAsync(() => Task.FromResult(Probe.Events.Count(e => e.TaskId == enqueued.Id) >= 3), Traits.TaskTimeout, "three events arrive");
        await Task.Delay(200);
        var events = Probe.Events.Where(e => e.TaskId == enqueued.Id).Select(e => e.Event).ToArray();
        Assert.Equal(["enqueued", "started", "finished"], events);

        await WaitUntilAsync(() => Task.FromResult(activities.Any(a => a.OperationName.StartsWith("execute", StringComparison.Ordinal) && Equals(a.GetTagItem("task.id"), enqueued.Id))), Traits.TaskTimeout, "the execute span ends");
        var enqueue = Assert.Single(activities, a => a.Kind == ActivityKind.Producer && Equals(a.GetTagItem("task.id"), enqueued.Id));
        var execute = Assert.Single(activities, a => a.Kind == ActivityKind.Consumer && Equals(a.GetTagItem("task.id"), enqueued.Id));
        Assert.Equal(enqueue.TraceId, execute.TraceId);
        Assert.Equal(enqueue.SpanId, execute.ParentSpanId);
    }
}
