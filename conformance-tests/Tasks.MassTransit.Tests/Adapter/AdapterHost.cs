using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tasks.MassTransit.Tests;

/// <summary>A small application for the adapter tests: the test tasks, a backend, workers; disposed at the end of the test.</summary>
public sealed class AdapterHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<ITaskWorker> _workers = [];

    private AdapterHost(ServiceProvider services) => _services = services;

    public ITaskQueue Queue => _services.GetRequiredService<ITaskQueue>();

    public Runs Runs => _services.GetRequiredService<Runs>();

    public IServiceProvider Services => _services;

    public IReadOnlyList<ITaskWorker> Workers => _workers;

    public ITaskBackend Backend(string alias = "main") => _services.GetRequiredService<ITaskBackendProvider>().Get(alias);

    public static AdapterHost Create(Action<TasksBuilder> configure, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Runs>();
        if (configuration is not null)
        {
            services.AddSingleton(configuration);
        }

        services.AddTasks(tasks =>
        {
            tasks.AddTask<TestArgs, string, TestHandler>(TestHandler.Name);
            tasks.AddTask<TestArgs, string, TestHandler>(TestHandler.RetriedName, o => { o.MaxAttempts = 3; o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMilliseconds(100)); });
            configure(tasks);
        });
        return new AdapterHost(services.BuildServiceProvider());
    }

    public async Task<ITaskWorker> StartWorkerAsync(string alias = "main", Action<TaskWorkerOptions>? configure = null)
    {
        var options = new TaskWorkerOptions { Backend = alias, Concurrency = 2, WorkerId = $"adapter-w{_workers.Count + 1}", ShutdownTimeout = TimeSpan.FromSeconds(10), ErrorDelay = TimeSpan.FromMilliseconds(200) };
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
}

/// <summary>Arguments of the adapter tests' task.</summary>
public sealed record TestArgs(string Label, bool Fail = false, int SleepMs = 0);

/// <summary>Counts its runs; throws when asked to.</summary>
public sealed class TestHandler(Runs runs) : ITaskHandler<TestArgs, string>
{
    public const string Name = "adapter.test";
    public const string RetriedName = "adapter.retried";

    public async Task<string> HandleAsync(TestArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        runs.Add(context.TaskId, DateTimeOffset.UtcNow);
        if (args.SleepMs > 0)
        {
            await Task.Delay(args.SleepMs, cancellationToken);
        }

        if (args.Fail)
        {
            throw new InvalidOperationException($"failing on purpose: {args.Label}");
        }

        return args.Label;
    }
}

/// <summary>When each task ran, per host.</summary>
public sealed class Runs
{
    private readonly ConcurrentQueue<(string TaskId, DateTimeOffset At)> _runs = new();

    public void Add(string taskId, DateTimeOffset at) => _runs.Enqueue((taskId, at));

    public IReadOnlyList<DateTimeOffset> Of(string taskId) => _runs.Where(r => r.TaskId == taskId).Select(r => r.At).ToArray();
}
