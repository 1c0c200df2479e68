using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;

namespace Tasks.Redis.Tests;

/// <summary>A small application for adapter tests: the conformance tasks and one Redis backend ("redis").</summary>
public sealed class RedisTestHost : IAsyncDisposable
{
    public const string Alias = "redis";

    private readonly ServiceProvider _services;
    private readonly List<ITaskWorker> _workers = [];

    public RedisTestHost(Action<RedisTaskBackendOptions> configure, ConformanceProbe? probe = null, ILoggerProvider? logs = null)
    {
        Probe = probe ?? new ConformanceProbe();
        var services = new ServiceCollection();
        services.AddLogging(l =>
        {
            l.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                l.AddProvider(logs);
            }
        });
        services.AddSingleton(Probe);
        services.AddTasks(tasks => tasks.AddConformanceTasks().AddRedisBackend(Alias, configure).UseDefaultBackend(Alias));
        _services = services.BuildServiceProvider();
    }

    public ConformanceProbe Probe { get; }

    public ITaskQueue Queue => _services.GetRequiredService<ITaskQueue>();

    public RedisTaskBackend Backend => (RedisTaskBackend)_services.GetRequiredService<ITaskBackendProvider>().Get(Alias);

    public async Task<ITaskWorker> StartWorkerAsync(int concurrency = 2, params string[] queues)
    {
        var worker = _services.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions
        {
            Backend = Alias,
            Concurrency = concurrency,
            WorkerId = $"test-w{_workers.Count + 1}",
            Queues = queues.ToList(),
            ErrorDelay = TimeSpan.FromMilliseconds(100),
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        });
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
}
