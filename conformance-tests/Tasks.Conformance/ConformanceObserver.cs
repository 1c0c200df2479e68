namespace Tasks.Conformance;

/// <summary>Records lifecycle events in the probe.</summary>
public sealed class ConformanceObserver(ConformanceProbe probe) : ITaskObserver
{
    /// <inheritdoc />
    public ValueTask OnEnqueuedAsync(TaskResult result, CancellationToken cancellationToken)
    {
        probe.RecordEvent("enqueued", result.Id);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask OnStartedAsync(TaskResult result, CancellationToken cancellationToken)
    {
        probe.RecordEvent("started", result.Id);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask OnFinishedAsync(TaskResult result, CancellationToken cancellationToken)
    {
        probe.RecordEvent("finished", result.Id);
        return ValueTask.CompletedTask;
    }
}
