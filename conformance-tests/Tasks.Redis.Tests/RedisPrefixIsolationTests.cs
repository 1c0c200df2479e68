using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>Two applications on one Redis with different prefixes never see each other's tasks, results or keys.</summary>
public sealed class RedisPrefixIsolationTests : RedisTestBase
{
    [Fact]
    public async Task Backends_with_different_prefixes_never_see_each_other()
    {
        var prefixA = NewPrefix("iso-a");
        var prefixB = NewPrefix("iso-b");
        var a = Host(prefixA);
        var b = Host(prefixB);

        var idsA = (await a.Queue.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new RecordArgs($"a{i}")))).Select(r => r.Id).ToArray();
        var idsB = (await b.Queue.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new RecordArgs($"b{i}")))).Select(r => r.Id).ToArray();
        await a.StartWorkerAsync();

        foreach (var id in idsA)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(a, id)).Status);
        }

        await Task.Delay(500);
        foreach (var id in idsB)
        {
            Assert.Equal(TaskResultStatus.Ready, (await b.Queue.GetResultAsync(id)).Status);
            await Assert.ThrowsAsync<TaskNotFoundException>(() => a.Queue.GetResultAsync(id));
            Assert.False(await a.Backend.RemovePendingAsync(id));
        }

        foreach (var id in idsA)
        {
            await Assert.ThrowsAsync<TaskNotFoundException>(() => b.Queue.GetResultAsync(id));
        }

        Assert.DoesNotContain(a.Probe.Executions, e => idsB.Contains(e.TaskId));
        var pendingA = new List<TaskEnvelope>();
        await foreach (var e in a.Backend.ListPendingAsync())
        {
            pendingA.Add(e);
        }

        Assert.Empty(pendingA);

        // Every key each backend wrote is under its own prefix and names only its own tasks.
        var keysA = (await RedisTestServer.KeysAsync(Admin, prefixA)).Select(k => k.ToString()).ToArray();
        var keysB = (await RedisTestServer.KeysAsync(Admin, prefixB)).Select(k => k.ToString()).ToArray();
        Assert.NotEmpty(keysA);
        Assert.NotEmpty(keysB);
        Assert.DoesNotContain(keysA, k => idsB.Any(id => k.Contains(id, StringComparison.Ordinal)));
        Assert.DoesNotContain(keysB, k => idsA.Any(id => k.Contains(id, StringComparison.Ordinal)));

        await b.StartWorkerAsync();
        foreach (var id in idsB)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(b, id)).Status);
        }

        Assert.DoesNotContain(a.Probe.Executions, e => idsB.Contains(e.TaskId));
        Assert.DoesNotContain(b.Probe.Executions, e => idsA.Contains(e.TaskId));
    }
}
