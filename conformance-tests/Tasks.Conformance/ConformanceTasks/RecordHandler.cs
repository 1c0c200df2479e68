namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Notes its label in the probe and returns it.</summary>
public sealed class RecordHandler(ConformanceProbe probe) : ITaskHandler<RecordArgs, string>
{
    /// <inheritdoc />
    public Task<string> HandleAsync(RecordArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(context, args.Label);
        return Task.FromResult(args.Label);
    }
}
