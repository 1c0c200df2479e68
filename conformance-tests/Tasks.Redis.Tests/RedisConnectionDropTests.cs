using Tasks.Conformance.ConformanceTasks;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.Redis.Tests;

/// <summary>Connections killed mid-run (only this test's own, by client name) come back and no task is lost.</summary>
public sealed class RedisConnectionDropTests(ITestOutputHelper output) : RedisTestBase
{
    [Fact]
    public async Task Tasks_survive_killed_connections_of_client_and_worker()
    {
        var prefix = NewPrefix("drop");
        var name = $"tasks-drop-{Guid.NewGuid():N}";
        var client = Host(prefix, o => o.ConnectionString = $"{RedisTestServer.ConnectionString},name={name}");
        var worker = Host(prefix, o => o.ConnectionString = $"{RedisTestServer.ConnectionString},name={name}");
        await worker.StartWorkerAsync(concurrency: 4);

        var ids = new List<string>();
        var kills = 0;
        for (var round = 0; round < 6; round++)
        {
            ids.AddRange((await client.Queue.EnqueueManyAsync(ConformanceTaskNames.Sleep, Enumerable.Range(0, 50).Select(i => new SleepArgs(2)))).Select(r => r.Id));
            foreach (var id in (await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.Queue.EnqueueAsync(new RecordArgs($"r{round}"))))).Select(r => r.Id))
            {
                ids.Add(id);
            }

            await Task.Delay(50);
            kills += await KillClientsAsync(name);
        }

        var statuses = new Dictionary<TaskResultStatus, int>();
        foreach (var id in ids)
        {
            var r = await FinishedAsync(worker, id, seconds: 30);
            statuses[r.Status] = statuses.GetValueOrDefault(r.Status) + 1;
        }

        var executions = worker.Probe.Executions.Count(e => e.TaskName == ConformanceTaskNames.Record);
        output.WriteLine($"{ids.Count} tasks, {kills} connections killed; statuses: {string.Join(", ", statuses)}; record executions {executions} of {6 * 10}");
        Assert.True(kills >= 6, $"only {kills} connections were killed");
        Assert.Equal(ids.Count, statuses.GetValueOrDefault(TaskResultStatus.Succeeded));
    }

    private async Task<int> KillClientsAsync(string name)
    {
        var server = Admin.GetServers().Single();
        var killed = 0;
        foreach (var c in await server.ClientListAsync())
        {
            if (c.Name == name)
            {
                killed += (int)await server.ClientKillAsync(c.Id, null, null, skipMe: true);
            }
        }

        return killed;
    }
}
