using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>A worker listening on one queue never runs a task of another.</summary>
    [Fact]
    public async Task Worker_never_runs_tasks_of_queues_it_does_not_listen_to()
    {
        var host = Host("app");
        await host.StartWorkerAsync(o => o.Queues = ["conf_a"]);
        var a = new List<string>();
        var b = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            b.Add((await host.Queue.With(queue: "conf_b").EnqueueAsync(new RecordArgs($"b{i}"))).Id);
            a.Add((await host.Queue.With(queue: "conf_a").EnqueueAsync(new RecordArgs($"a{i}"))).Id);
        }

        foreach (var id in a)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, id)).Status);
        }

        await Task.Delay(500);
        foreach (var id in b)
        {
            Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(id)).Status);
            Assert.Empty(Probe.ExecutionsOf(id));
        }

        var other = Host("other");
        await other.StartWorkerAsync(o => o.Queues = ["conf_b"]);
        foreach (var id in b)
        {
            var r = await FinishedAsync(host, id);
            Assert.Equal(TaskResultStatus.Succeeded, r.Status);
            Assert.Equal("conf_b", r.Queue);
            Assert.StartsWith("other", Probe.ExecutionsOf(id).Single().WorkerId, StringComparison.Ordinal);
        }
    }
}
