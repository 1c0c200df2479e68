using System.Diagnostics;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>Idle workers wake on new work and on due deferred tasks at once, not by polling (the poll interval here is 30 s).</summary>
public sealed class RedisWakeupTests : RedisTestBase
{
    [Fact]
    public async Task Idle_worker_starts_new_and_due_tasks_promptly_without_polling()
    {
        var prefix = NewPrefix("wake");
        var host = Host(prefix, o => o.IdlePollInterval = TimeSpan.FromSeconds(30));
        var client = Host(prefix, o => o.IdlePollInterval = TimeSpan.FromSeconds(30));
        await host.StartWorkerAsync();
        var warm = await client.Queue.EnqueueAsync(new RecordArgs("warm-up"));
        await FinishedAsync(host, warm.Id);
        await Task.Delay(300); // the worker is idle now

        var latencies = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var enqueued = await client.Queue.EnqueueAsync(new RecordArgs($"now{i}"));
            var r = await FinishedAsync(host, enqueued.Id, seconds: 5);
            latencies.Add((r.StartedAt!.Value - r.EnqueuedAt).TotalMilliseconds);
            await Task.Delay(100);
        }

        Assert.True(latencies.Max() < 1_000, $"enqueue-to-start latencies: {string.Join(", ", latencies.Select(l => $"{l:F1} ms"))}");

        var runAfter = DateTimeOffset.UtcNow.AddSeconds(1);
        var deferred = await client.Queue.With(runAfter: runAfter).EnqueueAsync(new RecordArgs("deferred"));
        var done = await FinishedAsync(host, deferred.Id, seconds: 10);
        var ran = host.Probe.ExecutionsOf(deferred.Id).Single().At;
        Assert.True(ran >= runAfter.AddMilliseconds(-50) && ran <= runAfter.AddMilliseconds(500), $"ran at {ran:O}, due {runAfter:O}");
        Assert.Equal(TaskResultStatus.Succeeded, done.Status);
    }

    [Fact]
    public async Task Bulk_enqueue_over_several_script_calls_keeps_order_and_refuses_duplicate_ids()
    {
        var prefix = NewPrefix("bulk");
        var host = Host(prefix, o => o.EnqueueBatchSize = 100);
        var labels = Enumerable.Range(0, 1050).Select(i => $"b{i:D4}").ToArray();
        var watch = Stopwatch.StartNew();
        var results = await host.Queue.EnqueueManyAsync(labels.Select(l => new RecordArgs(l)));
        watch.Stop();
        Assert.Equal(labels.Length, results.Count);

        var duplicate = new TaskEnvelope { Id = results[0].Id, TaskName = ConformanceTaskNames.Record, Queue = "default", Arguments = "{\"label\":\"dup\"}", EnqueuedAt = DateTimeOffset.UtcNow };
        var ex = await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.Backend.EnqueueAsync(duplicate));
        Assert.Equal("Id", ex.Option);
        Assert.Equal("{\"label\":\"b0000\"}", (await host.Queue.GetResultAsync(results[0].Id)).Arguments);

        await host.StartWorkerAsync(concurrency: 1);
        await FinishedAsync(host, results[^1].Id, seconds: 60);
        Assert.Equal(labels, host.Probe.Executions.Select(e => e.Label));
    }
}
