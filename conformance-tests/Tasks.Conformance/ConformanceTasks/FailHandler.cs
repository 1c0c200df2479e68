using System.Runtime.CompilerServices;

namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Throws <see cref="ConformanceException"/> on its first <see cref="FailArgs.FailAttempts"/> attempts.</summary>
public sealed class FailHandler(ConformanceProbe probe) : ITaskHandler<FailArgs, int>
{
    /// <inheritdoc />
    public Task<int> HandleAsync(FailArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(context, args.Message);
        if (context.Attempt <= args.FailAttempts)
        {
            Throw(args.Message);
        }

        return Task.FromResult(context.Attempt);
    }

    // A real frame, so the recorded stack trace names it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string message) => throw new ConformanceException(message);
}
