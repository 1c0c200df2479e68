using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;
using Tasks.Migration;

namespace Tasks.Core.Tests;

/// <summary>
/// <see cref="TaskMigrator"/> between two backends that keep their results in one store: the target would read the
/// source's records as tasks it already holds, so the migration is refused before anything moves.
/// </summary>
public sealed class TaskMigratorSharedStoreTests
{
    [Fact]
    public async Task Backends_sharing_a_result_store_are_refused_and_no_task_is_lost()
    {
        var shared = new InMemoryTaskResultStore();
        await using var host = TestHost.Create(t =>
        {
            t.AddBackend("a", (_, alias) => new InMemoryTaskBackend(alias, shared));
            t.AddBackend("b", (_, alias) => new InMemoryTaskBackend(alias, shared));
            t.UseDefaultBackend("a");
            t.AddTask<Work, WorkHandler>("work");
        });
        var enqueued = await host.Queue.EnqueueManyAsync([new Work("1"), new Work("2"), new Work("3")]);

        var migrator = host.Services.GetRequiredService<TaskMigrator>();
        var error = await Assert.ThrowsAsync<TaskConfigurationException>(() => migrator.MigrateAsync("a", "b"));

        Assert.Contains("share one result store", error.Message);
        Assert.Contains("'a'", error.Message);
        Assert.Contains("'b'", error.Message);
        var source = host.Backend<InMemoryTaskBackend>("a");
        var pending = new List<TaskEnvelope>();
        await foreach (var e in source.ListPendingAsync(null))
        {
            pending.Add(e);
        }

        Assert.Equal(enqueued.Select(r => r.Id).Order(), pending.Select(e => e.Id).Order());
        foreach (var r in enqueued)
        {
            Assert.Equal(TaskResultStatus.Ready, (await source.GetResultAsync(r.Id)).Status);
        }
    }

    [Fact]
    public async Task A_rerun_still_skips_what_the_target_holds_under_its_own_name()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddInMemoryBackend("a");
            t.AddInMemoryBackend("b");
            t.UseDefaultBackend("a");
            t.AddTask<Work, WorkHandler>("work");
        });
        var enqueued = await host.Queue.EnqueueManyAsync([new Work("1"), new Work("2")]);
        var source = host.Backend<InMemoryTaskBackend>("a");
        var first = new List<TaskEnvelope>();
        await foreach (var e in source.ListPendingAsync(null))
        {
            first.Add(e);
        }

        // An interrupted earlier run enqueued one task into the target but did not remove it from the source.
        await host.Backend<InMemoryTaskBackend>("b").EnqueueAsync(first[0]);

        var summary = await host.Services.GetRequiredService<TaskMigrator>().MigrateAsync("a", "b");

        Assert.Equal(1, summary.Moved);
        Assert.Equal(1, summary.AlreadyInTarget);
        Assert.Equal("b", (await host.Backend<InMemoryTaskBackend>("b").GetResultAsync(enqueued[1].Id)).Backend);
    }
}
