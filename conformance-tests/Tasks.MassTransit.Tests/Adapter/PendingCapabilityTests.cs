using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Migration;

namespace Tasks.MassTransit.Tests;

/// <summary>When ListPending is declared, and that backends sharing a result store list only their own tasks (in-memory transport: no server).</summary>
public sealed class PendingCapabilityTests
{
    [Fact]
    public async Task A_result_store_given_in_code_of_another_kind_gives_no_ListPending()
    {
        await using var transport = new MassTransitInMemoryTransport();
        await using var host = AdapterHost.Create(t => t.AddMassTransitBackend("main", o =>
        {
            o.Transport = MassTransitTransport.InMemory;
            o.InMemoryTransport = transport;
            o.ResultStore = new WrappedStore(new InMemoryTaskResultStore());
        }).UseDefaultBackend("main"));

        var backend = Assert.IsAssignableFrom<IPendingTaskBackend>(host.Backend());
        Assert.False(backend.Capabilities.HasFlag(TaskBackendCapabilities.ListPending));
        await Assert.ThrowsAsync<TaskNotSupportedException>(async () => await backend.ListPendingAsync().GetAsyncEnumerator().MoveNextAsync());
        await Assert.ThrowsAsync<TaskNotSupportedException>(() => backend.RemovePendingAsync(Guid.NewGuid().ToString()));
        await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Services.GetRequiredService<TaskMigrator>().MigrateAsync("main", "other"));
    }

    [Fact]
    public async Task Backends_sharing_a_result_store_list_and_remove_only_their_own_tasks()
    {
        await using var transport = new MassTransitInMemoryTransport();
        var results = new InMemoryTaskResultStore();
        await using var host = AdapterHost.Create(t => t
            .AddMassTransitBackend("main", o => { o.Transport = MassTransitTransport.InMemory; o.InMemoryTransport = transport; o.ResultStore = results; o.QueuePrefix = "one"; })
            .AddMassTransitBackend("second", o => { o.Transport = MassTransitTransport.InMemory; o.InMemoryTransport = transport; o.ResultStore = results; o.QueuePrefix = "two"; })
            .UseDefaultBackend("main"));
        var main = (IPendingTaskBackend)host.Backend("main");
        var second = (IPendingTaskBackend)host.Backend("second");
        Assert.True(main.Capabilities.HasFlag(TaskBackendCapabilities.ListPending));

        var ours = await host.Queue.EnqueueManyAsync(TestHandler.Name, Enumerable.Range(0, 5).Select(i => new TestArgs($"main {i}")));
        var theirs = await host.Queue.With(backend: "second", queue: "other").EnqueueAsync(TestHandler.Name, new TestArgs("second"));

        var listed = new List<TaskEnvelope>();
        await foreach (var e in main.ListPendingAsync())
        {
            listed.Add(e);
        }

        Assert.Equal(ours.Select(r => r.Id).Order(StringComparer.Ordinal), listed.Select(e => e.Id));
        Assert.False(await main.RemovePendingAsync(theirs.Id));
        Assert.True(await second.RemovePendingAsync(theirs.Id));
        await foreach (var e in second.ListPendingAsync())
        {
            Assert.Fail($"{e.Id} was removed");
        }
    }

    private sealed class WrappedStore(ITaskResultStore inner) : ITaskResultStore
    {
        public Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default) => inner.CreateAsync(results, cancellationToken);

        public Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default) => inner.TryUpdateAsync(result, expectedVersion, cancellationToken);

        public Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);
    }
}
