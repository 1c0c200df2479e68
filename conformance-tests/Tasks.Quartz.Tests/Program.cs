using Tasks.Conformance;

namespace Tasks.Quartz.Tests;

/// <summary>Test assembly entry point: also a Quartz worker process for the crash test (see <see cref="ConformanceWorker"/>).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (ConformanceWorker.IsWorkerInvocation(args))
        {
            // args[2..]: table prefix, scheduler name, results table of the fixture that started us.
            var settings = new QuartzTestDatabase.Settings(args[2], args[3], args[4]);
            return await ConformanceWorker.RunAsync(args[1], tasks => tasks.AddQuartzBackend(TaskBackendFixture.BackendAlias, settings.Apply));
        }

        return 0;
    }
}
