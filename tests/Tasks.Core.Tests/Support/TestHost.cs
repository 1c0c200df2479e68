using Microsoft.Extensions.DependencyInjection;

namespace Tasks.Core.Tests.Support;

/// <summary>A service provider with the task library, plus helpers to start workers and wait for results.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(15);

    private readonly List<ITaskWorker> _workers = [];

    private TestHost(ServiceProvider services)
    {
        Services = services;
    }

    public ServiceProvider Services { get; }

    public ITaskQueue Queue => Services.GetRequiredService<ITaskQueue>();

    public ITaskBackendProvider Backends => Services.GetRequiredService<ITaskBackendProvider>();

    public Probe Probe => Services.GetRequiredService<Probe>();

    /// <summary>Builds a host; <see cref="Probe"/>, logging and the test tasks' handlers are always registered.</summary>
    public static TestHost Create(Action<TasksBuilder> configure, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<Probe>();
        collection.AddScoped<ScopedDependency>();
        services?.Invoke(collection);
        collection.AddTasks(configure);
        return new TestHost(collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
    }

    public TBackend Backend<TBackend>(string? alias = null)
        where TBackend : ITaskBackend => Assert.IsType<TBackend>(Backends.Get(alias));

    /// <summary>Creates and starts a worker; it is stopped when the host is disposed.</summary>
    public async Task<ITaskWorker> StartWorkerAsync(Action<TaskWorkerOptions>? configure = null)
    {
        var options = new TaskWorkerOptions { Concurrency = 1, ShutdownTimeout = TimeSpan.FromSeconds(5), ErrorDelay = TimeSpan.FromMilliseconds(50) };
        configure?.Invoke(options);
        var worker = Backends.CreateWorker(options);
        _workers.Add(worker);
        await worker.StartAsync();
        return worker;
    }

    public Task<TaskResult> WaitAsync(string id) => Queue.WaitAsync(id, WaitTimeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Services.DisposeAsync();
    }
}
