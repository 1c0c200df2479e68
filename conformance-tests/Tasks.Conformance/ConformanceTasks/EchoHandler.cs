namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Returns its arguments.</summary>
public sealed class EchoHandler(ConformanceProbe probe) : ITaskHandler<EchoPayload, EchoPayload>
{
    /// <inheritdoc />
    public Task<EchoPayload> HandleAsync(EchoPayload args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(context, null);
        return Task.FromResult(args);
    }
}
