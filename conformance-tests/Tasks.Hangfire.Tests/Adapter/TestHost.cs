using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>A small app for adapter tests: the conformance tasks, a probe and one Hangfire backend "hf".</summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string Alias = "hf";

    private readonly ServiceProvider _services;
    private readonly List<ITaskWorker> _workers = [];

    public TestHost(Action<HangfireTaskBackendOptions> configure, Action<TasksBuilder>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Probe);
        services.AddTasks(t =>
        {
            t.AddConformanceTasks().AddHangfireBackend(Alias, configure).UseDefaultBackend(Alias);
            more?.Invoke(t);
        });
        _services = services.BuildServiceProvider();
    }

    public ConformanceProbe Probe { get; } = new();

    public IServiceProvider Services => _services;

    public ITaskQueue Queue => _services.GetRequiredService<ITaskQueue>();

    public HangfireTaskBackend Backend => (HangfireTaskBackend)_services.GetRequiredService<ITaskBackendProvider>().Get(Alias);

    public async Task<ITaskWorker> StartWorkerAsync(Action<TaskWorkerOptions>? configure = null)
    {
        var options = new TaskWorkerOptions { Backend = Alias, Concurrency = 2, WorkerId = $"w{_workers.Count + 1}", ShutdownTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        var worker = _services.GetRequiredService<ITaskBackendProvider>().CreateWorker(options);
        await worker.StartAsync();
        _workers.Add(worker);
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers)
        {
            await w.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    public static void InMemory(HangfireTaskBackendOptions o)
    {
        o.Storage = HangfireStorageKind.InMemory;
        o.SchedulePollingInterval = TimeSpan.FromMilliseconds(200);
    }
}
