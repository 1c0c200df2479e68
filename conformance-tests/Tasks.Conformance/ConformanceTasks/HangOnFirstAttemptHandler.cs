namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Hangs on attempt 1 (until its worker is killed) and succeeds on any later attempt.</summary>
public sealed class HangOnFirstAttemptHandler(ConformanceProbe probe) : ITaskHandler<HangArgs, int>
{
    /// <inheritdoc />
    public async Task<int> HandleAsync(HangArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(context, args.Label);
        if (context.Attempt == 1)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        return context.Attempt;
    }
}
