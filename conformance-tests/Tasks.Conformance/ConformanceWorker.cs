using System.Diagnostics;
using System.Reflection;
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

    /// <summary>The first command-line argument that makes a test assembly run as a worker process.</summary>
    public const string Verb = "conformance-worker";

    /// <summary>
    /// A start command that runs <paramref name="testAssembly"/> (a test project with <c>GenerateProgramFile=false</c>
    /// and a <c>Main</c> that calls <see cref="RunAsync"/> when its first argument is <see cref="Verb"/>) as a worker process.
    /// </summary>
    public static ProcessStartInfo StartInfo(Assembly testAssembly, string workerId, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(testAssembly.Location);
        start.ArgumentList.Add(Verb);
        start.ArgumentList.Add(workerId);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    /// <summary>Whether a <c>Main</c> was started by <see cref="StartInfo"/>; if so, <c>args[1]</c> is the worker id and the rest are the fixture's.</summary>
    public static bool IsWorkerInvocation(string[] args) => args.Length >= 2 && args[0] == Verb;

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
