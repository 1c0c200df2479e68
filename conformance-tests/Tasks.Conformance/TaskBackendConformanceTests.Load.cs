using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>Many tasks over three worker hosts: every task completes, none is lost, duplicates are counted.</summary>
    [Fact]
    public async Task Many_tasks_over_three_workers_none_lost()
    {
        var client = Host("client");
        var n = Traits.LoadTaskCount;
        var ids = new List<string>(n);
        var bulk = Has(client, TaskBackendCapabilities.BulkEnqueue);
        for (var start = 0; start < n; start += 100)
        {
            var batch = Enumerable.Range(start, Math.Min(100, n - start)).Select(i => new RecordArgs($"load{i}"));
            if (bulk)
            {
                ids.AddRange((await client.Queue.EnqueueManyAsync(batch)).Select(r => r.Id));
            }
            else
            {
                foreach (var args in batch)
                {
                    ids.Add((await client.Queue.EnqueueAsync(args)).Id);
                }
            }
        }

        for (var w = 1; w <= 3; w++)
        {
            await Host($"worker{w}").StartWorkerAsync(o => o.Concurrency = 4);
        }

        var expected = ids.ToHashSet();
        await WaitUntilAsync(() => Task.FromResult(Probe.Executions.Select(e => e.TaskId).Where(expected.Contains).Distinct().Count() == n), Traits.LoadTimeout, $"all {n} tasks ran");

        var lost = new List<string>();
        foreach (var id in ids)
        {
            var r = await FinishedAsync(client, id);
            if (r.Status != TaskResultStatus.Succeeded)
            {
                lost.Add($"{id}: {r.Status}");
            }
        }

        var executions = Probe.Executions.Where(e => expected.Contains(e.TaskId)).ToArray();
        var duplicates = executions.Length - n;
        var perWorker = executions.GroupBy(e => e.WorkerId.Split('-')[0]).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
        Output.WriteLine($"{n} tasks, {executions.Length} executions, {duplicates} duplicates; per worker host: {string.Join(", ", perWorker)}");
        Assert.Empty(lost);
        if (Traits.ExactlyOnce)
        {
            Assert.True(duplicates == 0, $"{duplicates} task(s) ran more than once, but the fixture declares ExactlyOnce");
        }
    }
}
