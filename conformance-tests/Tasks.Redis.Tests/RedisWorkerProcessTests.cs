using System.Diagnostics;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.Redis.Tests;

/// <summary>
/// Workers in separate processes; one is killed mid-run. Every task still completes: zero lost. The tasks run longer than
/// the default <see cref="RedisTaskBackendOptions.RunningStatusDelay"/>, and the kill lands while the victim runs a task
/// already marked Running (it must be counted as a lost attempt); it may also hold tasks whose start is not recorded yet,
/// or taken ahead, which simply run again.
/// </summary>
public sealed class RedisWorkerProcessTests(ITestOutputHelper output) : RedisTestBase
{
    [Fact]
    public async Task Killing_one_of_two_worker_processes_mid_run_loses_no_task()
    {
        var prefix = NewPrefix("procs");
        var client = Host(prefix);
        // 1 s each: marked Running after 200 ms, so the victim is killed (below) on a task with at least 500 ms still to run.
        const int N = 32;
        var ids = (await client.Queue.EnqueueManyAsync(ConformanceTaskNames.Sleep, Enumerable.Range(0, N).Select(_ => new SleepArgs(1000)))).Select(r => r.Id).ToArray();

        using var victim = await StartWorkerProcessAsync("victim", prefix);
        using var survivor = await StartWorkerProcessAsync("survivor", prefix);
        try
        {
            // Let both work for a while, then kill one without warning while it holds tasks.
            var watch = Stopwatch.StartNew();
            while (await CountFinishedAsync(client, ids) < N / 4 && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            // Kill it while it runs a task marked Running that started less than 500 ms ago, so the task cannot finish
            // between this check and the kill even on a loaded machine.
            string? runningOnVictim = null;
            while (watch.Elapsed < TimeSpan.FromSeconds(60) && (runningOnVictim = await VictimsFreshRunningTaskAsync(client, prefix)) is null)
            {
            }

            Assert.True(runningOnVictim is not null, $"the victim never ran a task marked Running in {watch.Elapsed.TotalSeconds:F0} s ({await CountFinishedAsync(client, ids)} of {N} finished)");
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();

            // What the dead victim left: its leases, and which of those tasks it had recorded as Running. Nothing changes
            // them until the reaper puts them back, a visibility timeout (3 s) from now.
            var heldByVictim = await VictimLeasesAsync(prefix);
            var runningAtKill = new List<string>();
            foreach (var id in heldByVictim)
            {
                var atKill = await client.Queue.GetResultAsync(id);
                if (atKill.Status == TaskResultStatus.Running && atKill.WorkerIds.Count > 0 && atKill.WorkerIds[^1] == "victim")
                {
                    runningAtKill.Add(id);
                }
            }

            var killedAt = DateTimeOffset.UtcNow;
            var finishedAtKill = await CountFinishedAsync(client, ids);

            var results = new List<TaskResult>();
            foreach (var id in ids)
            {
                results.Add(await client.Queue.WaitAsync(id, TimeSpan.FromSeconds(60)));
            }

            var multi = results.Where(r => r.Attempts > 1 || r.WorkerIds.Count > 1).Select(r => $"{r.Id[..8]}:{string.Join("/", r.WorkerIds)}:{r.Attempts}:{string.Join("/", r.Errors.Select(e => e.ExceptionType))}");
            output.WriteLine("rerun: " + string.Join(" ", multi));
            var lost = results.Where(r => r.Status != TaskResultStatus.Succeeded).ToArray();
            var recovered = results.Where(r => r.Errors.Any(e => e.ExceptionType == "Tasks.WorkerLost")).ToArray();
            var byWorker = results.GroupBy(r => r.WorkerIds[^1]).Select(g => $"{g.Key}={g.Count()}");
            var lastRecoveredStart = recovered.Length == 0 ? (DateTimeOffset?)null : recovered.Max(r => r.LastAttemptedAt);
            output.WriteLine($"{N} tasks; {finishedAtKill} finished when the victim was killed; it held {heldByVictim.Length}, {runningAtKill.Count} marked Running; finished by: {string.Join(", ", byWorker)}; " +
                $"{recovered.Length} were running on the victim and ran again; last of them restarted {(lastRecoveredStart - killedAt)?.TotalSeconds:F1} s after the kill; lost: {lost.Length}");
            Assert.Empty(lost);

            // The tasks it had marked Running are counted as lost attempts; there was at least one (checked just before the kill).
            Assert.Contains(runningOnVictim, runningAtKill);
            Assert.All(runningAtKill, id => Assert.Contains(recovered, r => r.Id == id));
            Assert.All(recovered, r => Assert.Equal("victim", r.WorkerIds[0]));

            // Everything the victim held when it died (running, or taken ahead) was run to the end by the survivor.
            Assert.All(results.Where(r => heldByVictim.Contains(r.Id)), r => Assert.Equal("survivor", r.WorkerIds[^1]));
        }
        finally
        {
            foreach (var p in new[] { victim, survivor })
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }
            }
        }
    }

    /// <summary>The tasks whose lease the victim holds (<c>&lt;prefix&gt;:lease</c>; its lease tokens start with its worker id).</summary>
    private async Task<string[]> VictimLeasesAsync(string prefix) =>
        (await Db.HashGetAllAsync($"{prefix}:lease"))
            .Where(l => l.Value.ToString().StartsWith("victim:", StringComparison.Ordinal))
            .Select(l => l.Name.ToString())
            .ToArray();

    /// <summary>A task the victim holds, marked Running, that started less than 500 ms ago; null if there is none.</summary>
    private async Task<string?> VictimsFreshRunningTaskAsync(RedisTestHost client, string prefix)
    {
        foreach (var id in await VictimLeasesAsync(prefix))
        {
            var result = await client.Queue.GetResultAsync(id);
            if (result.Status == TaskResultStatus.Running && DateTimeOffset.UtcNow - result.LastAttemptedAt < TimeSpan.FromMilliseconds(500))
            {
                return result.Id;
            }
        }

        return null;
    }

    private static async Task<int> CountFinishedAsync(RedisTestHost host, string[] ids)
    {
        var finished = 0;
        foreach (var chunk in ids.Chunk(100))
        {
            var results = await Task.WhenAll(chunk.Select(id => host.Queue.GetResultAsync(id)));
            finished += results.Count(r => r.IsFinished);
        }

        return finished;
    }

    private static async Task<Process> StartWorkerProcessAsync(string workerId, string prefix)
    {
        var start = ConformanceWorker.StartInfo(typeof(RedisFixture).Assembly, workerId, RedisTestServer.ConnectionString, prefix);
        start.RedirectStandardOutput = true;
        start.RedirectStandardInput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a worker process");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(line is not null, "the worker process exited before it was ready");
            if (line == ConformanceWorker.ReadyLine)
            {
                // Keep draining its output (warnings are logged there) so a full pipe never blocks it.
                _ = Task.Run(async () =>
                {
                    while (await process.StandardOutput.ReadLineAsync() is not null)
                    {
                    }
                });
                return process;
            }
        }
    }
}
