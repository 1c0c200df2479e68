using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Conformance.ConformanceTasks;

namespace Tasks.Conformance;

/// <summary>
/// The body of a worker process for the crash test: call <see cref="RunAsync"/> from a console program's <c>Main</c>
/// with the same backend registration as the fixture; it prints <see cref="ReadyLine"/> once the worker runs, then
/// works until the process is killed or its standard input closes.
/// </summary>
public static class ConformanceWorker
{
    /// <summary>The line printed when the worker is taking tasks.</summary>
    public const string ReadyLine = "TASKS-CONFORMANCE-WORKER-READY";

    /// <summary>Runs a worker with id <paramref name="workerId"/> on the backend <paramref name="addBackend"/> registers under <see cref="TaskBackendFixture.BackendAlias"/>.</summary>
    public static async Task<int> RunAsync(string workerId, Action<TasksBuilder> addBackend, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(new ConformanceProbe());
        services.AddTasks(tasks =>
        {
            tasks.AddConformanceTasks().UseDefaultBackend(TaskBackendFixture.BackendAlias);
            addBackend(tasks);
        });
        configureServices?.Invoke(services);
        await using var provider = services.BuildServiceProvider();
        var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions
        {
            Backend = TaskBackendFixture.BackendAlias,
            WorkerId = workerId,
            Concurrency = 2,
        });
        await worker.StartAsync().ConfigureAwait(false);
        Console.Out.WriteLine(ReadyLine);
        await Console.Out.FlushAsync().ConfigureAwait(false);

        // Runs until killed; a closed standard input means the test runner went away.
        await Task.Run(() => Console.In.ReadToEnd()).ConfigureAwait(false);
        await worker.DisposeAsync().ConfigureAwait(false);
        return 0;
    }
}
