using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tasks.Backends;

namespace Tasks.MassTransit.Tests;

/// <summary>RabbitMQ down: enqueue and worker start fail fast with the typed error, and nothing is left enqueued.</summary>
public sealed class UnreachableBrokerTests
{
    [Fact]
    public async Task Enqueue_fails_with_backend_unavailable_and_enqueues_nothing()
    {
        var results = new InMemoryTaskResultStore();
        await using var host = AdapterHost.Create(tasks => tasks.AddMassTransitBackend("main", o =>
        {
            o.ConnectionString = $"amqp://guest:s3cret-pw@127.0.0.1:{ClosedPort()}/";
            o.ResultStore = results;
            o.ConnectTimeout = TimeSpan.FromSeconds(2);
        }).UseDefaultBackend("main"));

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("never")));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("main", ex.Backend);
        Assert.DoesNotContain("s3cret-pw", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, results.Count); // the Ready record was removed again: nobody waits for a task that was never sent

        var bulk = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.EnqueueManyAsync(TestHandler.Name, [new TestArgs("a"), new TestArgs("b")]));
        Assert.Equal("main", bulk.Backend);
        Assert.Equal(0, results.Count);
    }

    [Fact]
    public async Task Worker_start_fails_with_backend_unavailable()
    {
        await using var host = AdapterHost.Create(tasks => tasks.AddMassTransitBackend("main", o =>
        {
            o.Host = $"127.0.0.1:{ClosedPort()}";
            o.Password = "s3cret-pw";
            o.ResultStore = new InMemoryTaskResultStore();
            o.ConnectTimeout = TimeSpan.FromSeconds(2);
        }));

        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.StartWorkerAsync());
        Assert.DoesNotContain("s3cret-pw", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_fails_with_backend_unavailable()
    {
        await using var host = AdapterHost.Create(tasks => tasks.AddMassTransitBackend("main", o =>
        {
            o.ConnectionString = $"amqp://guest:s3cret-pw@127.0.0.1:{ClosedPort()}/";
            o.ResultStore = new InMemoryTaskResultStore();
            o.ConnectTimeout = TimeSpan.FromSeconds(2);
        }).UseDefaultBackend("main"));

        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => ((MassTransitTaskBackend)host.Backend()).ConnectAsync(["default"]));
        Assert.Equal("main", ex.Backend);
        Assert.DoesNotContain("s3cret-pw", ex.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A loopback port nothing listens on (taken from the OS, then released).</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
