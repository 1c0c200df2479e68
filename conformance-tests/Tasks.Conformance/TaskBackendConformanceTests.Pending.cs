using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>Pending (ready, deferred) tasks can be listed with their routing data and removed, and a removed task never runs.</summary>
    [Fact]
    public async Task Pending_tasks_can_be_listed_and_removed()
    {
        var host = Host("app");
        if (!Has(host, TaskBackendCapabilities.ListPending))
        {
            Assert.False(host.Backend is IPendingTaskBackend p && p.Capabilities.HasFlag(TaskBackendCapabilities.ListPending));
            var migrator = new Migration.TaskMigrator(host.Services.GetService(typeof(ITaskBackendProvider)) as ITaskBackendProvider ?? throw new InvalidOperationException(), Microsoft.Extensions.Logging.Abstractions.NullLogger<Migration.TaskMigrator>.Instance);
            await Assert.ThrowsAsync<TaskNotSupportedException>(() => migrator.CountPendingAsync(TaskBackendFixture.BackendAlias));
            return;
        }

        var backend = Assert.IsAssignableFrom<IPendingTaskBackend>(host.Backend);
        var ready = await host.Queue.With(queue: "conf_a", priority: Has(host, TaskBackendCapabilities.Priority) ? 7 : 0).EnqueueAsync(new RecordArgs("ready"));
        var removed = await host.Queue.With(queue: "conf_a").EnqueueAsync(new RecordArgs("removed"));
        var other = await host.Queue.With(queue: "conf_b").EnqueueAsync(new RecordArgs("other"));
        var runAfter = DateTimeOffset.UtcNow.AddMinutes(10);
        var deferred = Has(host, TaskBackendCapabilities.Defer) ? await host.Queue.With(queue: "conf_a", runAfter: runAfter).EnqueueAsync(new RecordArgs("deferred")) : null;

        var inA = await ListAsync(backend, "conf_a");
        var all = await ListAsync(backend, null);

        Assert.Equal(deferred is null ? 2 : 3, inA.Count);
        Assert.Equal(inA.Count + 1, all.Count);
        var listed = inA.Single(e => e.Id == ready.Id);
        Assert.Equal(ConformanceTaskNames.Record, listed.TaskName);
        Assert.Equal("conf_a", listed.Queue);
        Assert.Equal(ready.Priority, listed.Priority);
        Assert.Equal("ready", System.Text.Json.JsonSerializer.Deserialize<RecordArgs>(listed.Arguments, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!.Label);
        if (deferred is not null)
        {
            Assert.Equal(runAfter.ToUniversalTime(), inA.Single(e => e.Id == deferred.Id).RunAfter);
        }

        Assert.True(await backend.RemovePendingAsync(removed.Id));
        Assert.False(await backend.RemovePendingAsync(removed.Id), "a removed task is gone");
        Assert.DoesNotContain(await ListAsync(backend, "conf_a"), e => e.Id == removed.Id);

        await host.StartWorkerAsync(o => o.Queues = ["conf_a", "conf_b"]);
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, ready.Id)).Status);
        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, other.Id)).Status);
        Assert.False(await backend.RemovePendingAsync(ready.Id), "a finished task is not pending");
        await Task.Delay(300);
        Assert.Empty(Probe.ExecutionsOf(removed.Id));
        Assert.DoesNotContain(await ListAsync(backend, null), e => e.Id == ready.Id || e.Id == other.Id);
    }

    private static async Task<List<TaskEnvelope>> ListAsync(IPendingTaskBackend backend, string? queue)
    {
        var list = new List<TaskEnvelope>();
        await foreach (var e in backend.ListPendingAsync(queue))
        {
            list.Add(e);
        }

        return list;
    }
}
