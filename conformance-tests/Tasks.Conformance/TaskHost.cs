using Microsoft.Extensions.DependencyInjection;

namespace Tasks.Conformance;

/// <summary>One application instance in a test (a client, a worker or both): its own service provider and workers.</summary>
public sealed class TaskHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<ITaskWorker> _workers = [];

    internal TaskHost(ServiceProvider services, string name)
    {
        _services = services;
        Name = name;
    }

    /// <summary>The host's name (used in worker ids).</summary>
    public string Name { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The task queue (its default backend is the fixture's).</summary>
    public ITaskQueue Queue => _services.GetRequiredService<ITaskQueue>();

    /// <summary>The fixture's backend as this host sees it.</summary>
    public ITaskBackend Backend => _services.GetRequiredService<ITaskBackendProvider>().Get(TaskBackendFixture.BackendAlias);

    /// <summary>Starts a worker on the fixture's backend (2 at once, all suite queues unless configured).</summary>
    public async Task<ITaskWorker> StartWorkerAsync(Action<TaskWorkerOptions>? configure = null)
    {
        var options = new TaskWorkerOptions
        {
            Backend = TaskBackendFixture.BackendAlias,
            Concurrency = 2,
            WorkerId = $"{Name}-w{_workers.Count + 1}",
            ShutdownTimeout = TimeSpan.FromSeconds(15),
            ErrorDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        var worker = _services.GetRequiredService<ITaskBackendProvider>().CreateWorker(options);
        await worker.StartAsync().ConfigureAwait(false);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Stops the workers gracefully and disposes the services.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers)
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
