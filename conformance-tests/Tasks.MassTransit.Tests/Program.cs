using Tasks.Conformance;

namespace Tasks.MassTransit.Tests;

/// <summary>The test assembly is also the worker process of the crash test (<c>dotnet exec Tasks.MassTransit.Tests.dll conformance-worker ...</c>).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!ConformanceWorker.IsWorkerInvocation(args))
        {
            return 0;
        }

        // args: conformance-worker <workerId> rabbitmq <queue prefix> <results schema>
        if (args.Length != 5 || args[2] != "rabbitmq")
        {
            await Console.Error.WriteLineAsync("usage: conformance-worker <workerId> rabbitmq <queue prefix> <results schema>");
            return 2;
        }

        return await ConformanceWorker.RunAsync(args[1], tasks => MassTransitRabbitMqFixture.Register(tasks, args[3], args[4]));
    }
}
