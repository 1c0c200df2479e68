using Tasks.Conformance;
using Tasks.Hangfire.Tests.PostgreSql;

namespace Tasks.Hangfire.Tests;

/// <summary>Entry point used only when the crash test starts this assembly as a worker process.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (ConformanceWorker.IsWorkerInvocation(args))
        {
            // args: conformance-worker <workerId> <connection string> <schema>
            return await ConformanceWorker.RunAsync(args[1], tasks => HangfirePostgreSqlFixture.Register(tasks, args[2], args[3]));
        }

        return 0;
    }
}
