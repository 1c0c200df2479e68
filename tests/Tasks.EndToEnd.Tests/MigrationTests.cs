using Xunit;
using Xunit.Abstractions;

namespace Tasks.EndToEnd.Tests;

/// <summary>
/// Queued work moves between real engines: none lost, none duplicated, an interrupted run finishes on re-run.
/// One subclass per pair (every unordered pair of the four server engines once, each engine a source at least once),
/// so the pairs run in parallel.
/// </summary>
public abstract class MigrationTests(string fromName, string toName, ITestOutputHelper output)
{
    private const int Count = 10_000;

    [Fact]
    public async Task Interrupted_migration_rerun_moves_every_task_once()
    {
        var runId = Guid.NewGuid().ToString("N")[..6];
        await using var host = new MigrationHost(new Engine(fromName), new Engine(toName), runId);
        var started = DateTime.UtcNow;

        // Seed the source (no workers run anywhere): mixed priorities and some deferred tasks where both sides support them.
        var source = host.Backend("from");
        var target = host.Backend("to");
        var withPriority = source.Capabilities.HasFlag(TaskBackendCapabilities.Priority) && target.Capabilities.HasFlag(TaskBackendCapabilities.Priority);
        var withDefer = source.Capabilities.HasFlag(TaskBackendCapabilities.Defer) && target.Capabilities.HasFlag(TaskBackendCapabilities.Defer);
        var runAfter = DateTimeOffset.UtcNow.AddHours(2);
        var expected = new Dictionary<string, TaskEnvelope>();
        for (var batch = 0; batch < 10; batch++)
        {
            var queue = host.Queue;
            if (withPriority)
            {
                queue = queue.With(priority: (batch * 20) - 90);
            }

            if (withDefer && batch % 3 == 0)
            {
                queue = queue.With(runAfter: runAfter);
            }

            var items = Enumerable.Range(batch * (Count / 10), Count / 10).Select(i => new MigrationItem(i, $"item {i} ✓"));
            foreach (var r in await queue.EnqueueManyAsync(items))
            {
                expected[r.Id] = new TaskEnvelope { Id = r.Id, TaskName = r.TaskName, Queue = r.Queue, Priority = r.Priority, RunAfter = r.RunAfter, Arguments = r.Arguments };
            }
        }

        Assert.Equal(Count, expected.Count);
        var seeded = DateTime.UtcNow;

        // First run: interrupted after two batches.
        using var stop = new CancellationTokenSource();
        var batches = 0;
        var progress = new SyncProgress(_ =>
        {
            if (++batches == 2)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Migrator.MigrateAsync("from", "to", progress: progress, cancellationToken: stop.Token));

        // Re-run: finishes the job.
        var summary = await host.Migrator.MigrateAsync("from", "to");
        var migrated = DateTime.UtcNow;
        output.WriteLine($"{fromName} -> {toName}: seeded {Count} in {(seeded - started).TotalSeconds:F1} s; re-run found {summary.Found}, moved {summary.Moved}, already in target {summary.AlreadyInTarget}, refused {summary.Refused.Count}; both runs {(migrated - seeded).TotalSeconds:F1} s");
        Assert.Empty(summary.Refused);
        Assert.Equal(0, summary.StartedMeanwhile);

        var inTarget = await host.PendingAsync("to");
        var inSource = await host.PendingAsync("from");
        Assert.Empty(inSource);
        Assert.Equal(Count, inTarget.Count);
        Assert.Equal(Count, inTarget.Select(e => e.Id).Distinct().Count());
        foreach (var e in inTarget)
        {
            Assert.True(expected.TryGetValue(e.Id, out var original), $"unexpected task {e.Id} in the target");
            Assert.Equal(original!.TaskName, e.TaskName);
            Assert.Equal(original.Queue, e.Queue);
            Assert.Equal(original.Priority, e.Priority);
            Assert.Equal(original.RunAfter, e.RunAfter);
            Assert.Equal(System.Text.Json.JsonDocument.Parse(original.Arguments).RootElement.ToString(), System.Text.Json.JsonDocument.Parse(e.Arguments).RootElement.ToString());
        }
    }

    /// <summary>Progress reported synchronously, so the test can interrupt at an exact batch.</summary>
    private sealed class SyncProgress(Action<Migration.TaskMigrationProgress> report) : IProgress<Migration.TaskMigrationProgress>
    {
        public void Report(Migration.TaskMigrationProgress value) => report(value);
    }
}

public sealed class MigrationRedisToHangfire(ITestOutputHelper o) : MigrationTests("Redis", "Hangfire", o);

public sealed class MigrationHangfireToQuartz(ITestOutputHelper o) : MigrationTests("Hangfire", "Quartz", o);

public sealed class MigrationQuartzToMassTransit(ITestOutputHelper o) : MigrationTests("Quartz", "MassTransit", o);

public sealed class MigrationMassTransitToRedis(ITestOutputHelper o) : MigrationTests("MassTransit", "Redis", o);

public sealed class MigrationRedisToQuartz(ITestOutputHelper o) : MigrationTests("Redis", "Quartz", o);

public sealed class MigrationHangfireToMassTransit(ITestOutputHelper o) : MigrationTests("Hangfire", "MassTransit", o);
