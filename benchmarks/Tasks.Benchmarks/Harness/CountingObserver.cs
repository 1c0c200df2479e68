namespace Tasks.Benchmarks.Harness;

/// <summary>Counts successes after the result store recorded them (observers run after the Succeeded write).</summary>
public sealed class CountingObserver(BenchmarkProbe probe) : ITaskObserver
{
    /// <inheritdoc />
    public ValueTask OnEnqueuedAsync(TaskResult result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask OnStartedAsync(TaskResult result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask OnFinishedAsync(TaskResult result, CancellationToken cancellationToken)
    {
        if (result.Status == TaskResultStatus.Succeeded)
        {
            probe.Counter?.Succeeded();
        }
        else
        {
            probe.Counter?.Failed($"task {result.Id} is {result.Status}: {result.Errors.LastOrDefault()?.Message}");
        }

        return ValueTask.CompletedTask;
    }
}
