namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Notes that it ran; the suite asserts it never does for refused arguments.</summary>
public sealed class CyclicHandler(ConformanceProbe probe) : ITaskHandler<CyclicArgs>
{
    /// <inheritdoc />
    public Task HandleAsync(CyclicArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(context, args.Name);
        return Task.CompletedTask;
    }
}
