using Tasks.Conformance;

namespace Tasks.Redis.Tests;

/// <summary>The test assembly's entry point: a worker process for the crash tests when started with <see cref="ConformanceWorker.Verb"/>.</summary>
public static class Program
{
    /// <summary>args: conformance-worker &lt;worker id&gt; &lt;connection string&gt; &lt;prefix&gt;.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (ConformanceWorker.IsWorkerInvocation(args))
        {
            if (args.Length < 4)
            {
                await Console.Error.WriteLineAsync("usage: conformance-worker <worker id> <connection string> <prefix>");
                return 2;
            }

            return await ConformanceWorker.RunAsync(args[1], tasks => RedisFixture.Register(tasks, args[2], args[3]));
        }

        return 0;
    }
}
