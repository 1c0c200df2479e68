namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Sleeps, noting when it started in the probe.</summary>
public sealed class SleepHandler(ConformanceProbe probe) : ITaskHandler<SleepArgs, int>
{
    /// <inheritdoc />
    public async Task<int> HandleAsync(SleepArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(context, "sleep");
        await Task.Delay(args.Milliseconds, args.IgnoreCancellation ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
        return args.Milliseconds;
    }
}
