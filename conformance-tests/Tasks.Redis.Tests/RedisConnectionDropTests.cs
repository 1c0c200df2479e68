using Tasks.Conformance.ConformanceTasks;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.Redis.Tests;

/// <summary>
/// Connections killed mid-run (only this test's own, found by client name) come back: every task whose enqueue succeeded
/// completes, and an enqueue that failed with the typed error left no waiting task behind.
/// </summary>
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

        var enqueued = new List<string>();
        var refused = new List<string>();
        var kills = 0;
        for (var round = 0; round < 6; round++)
        {
            await EnqueueAsync(client, Enumerable.Range(0, 50).Select(_ => Envelope(ConformanceTaskNames.Sleep, "{\"milliseconds\":2}")).ToArray(), enqueued, refused);
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => EnqueueAsync(client, [Envelope(ConformanceTaskNames.Record, $"{{\"label\":\"r{round}-{i}\"}}")], enqueued, refused)));
            await Task.Delay(50);
            kills += await KillClientsAsync(name);
        }

        var statuses = new Dictionary<TaskResultStatus, int>();
        foreach (var id in enqueued)
        {
            var r = await ThroughDropsAsync(() => FinishedAsync(worker, id, seconds: 30));
            statuses[r.Status] = statuses.GetValueOrDefault(r.Status) + 1;
        }

        var refusedLeftWaiting = 0;
        foreach (var id in refused)
        {
            try
            {
                if ((await ThroughDropsAsync(() => worker.Queue.GetResultAsync(id))).Status == TaskResultStatus.Ready)
                {
                    refusedLeftWaiting++;
                }
            }
            catch (TaskNotFoundException)
            {
                // As promised: it did not happen.
            }
        }

        output.WriteLine($"{enqueued.Count} tasks enqueued, {refused.Count} enqueues refused as unavailable, {kills} connections killed; statuses: {string.Join(", ", statuses)}");
        Assert.True(kills >= 6, $"only {kills} connections were killed");
        Assert.Equal(enqueued.Count, statuses.GetValueOrDefault(TaskResultStatus.Succeeded));
        Assert.Equal(0, refusedLeftWaiting);
    }

    private static TaskEnvelope Envelope(string taskName, string arguments) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = taskName,
        Queue = "default",
        Arguments = arguments,
        EnqueuedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Enqueues like an application would: a refused enqueue (typed error) is tried again with new ids.</summary>
    private static async Task EnqueueAsync(RedisTestHost client, TaskEnvelope[] envelopes, List<string> enqueued, List<string> refused)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.Backend.EnqueueManyAsync(envelopes);
                lock (enqueued)
                {
                    enqueued.AddRange(envelopes.Select(e => e.Id));
                }

                return;
            }
            catch (TaskBackendUnavailableException) when (attempt < 20)
            {
                lock (enqueued)
                {
                    refused.AddRange(envelopes.Select(e => e.Id));
                }

                envelopes = envelopes.Select(e => e with { Id = Guid.NewGuid().ToString() }).ToArray();
                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// Reads like an application would: a read that meets a connection killed in the last round (the typed error, as
    /// promised) is tried again once StackExchange.Redis has reconnected.
    /// </summary>
    private static async Task<T> ThroughDropsAsync<T>(Func<Task<T>> read)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (TaskBackendUnavailableException) when (attempt < 20)
            {
                await Task.Delay(50);
            }
        }
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
